// Local Telegram Bot API emulator for the end-to-end tests (see ../../../shared/TESTING-RECIPES.md §1).
// getUpdates as Telegram does it: an update is handed out again until a later call's offset
// confirms it (the emulator forgets it at once, so a bot killed while the answer was on its
// way would lose updates Telegram would have delivered again). Patched before the emulator's
// routes are loaded, since they keep a reference to the handler.
const botUpdates = require('telegram-test-api/lib/routes/bot/getUpdates');
const { handle } = require('telegram-test-api/lib/routes/bot/utils');
botUpdates.getUpdates = (app, telegramServer) => {
  handle(app, '/bot:token/getUpdates', (req, res) => {
    const token = req.params.token;
    const offset = Number((req.body || {}).offset || req.query.offset || 0);
    const mine = telegramServer.storage.userMessages.filter((u) => u.botToken === token && !u.isRead);
    for (const u of mine) if (u.updateId < offset) u.isRead = true; // confirmed: forgotten
    const result = mine.filter((u) => !u.isRead).map((u) => TelegramServer.formatUpdate(u));
    res.sendResult({ ok: true, result });
  });
};
const TelegramServer = require('telegram-test-api');
// The emulator drops chat_instance from callback queries, and PTB's CallbackQuery requires it.
const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const out = formatUpdate(update);
  if (out.callback_query) {
    const chat = (out.callback_query.message || {}).chat || {};
    out.callback_query.chat_instance = update.callbackQuery.chat_instance || String(chat.id || 0);
  }
  return out;
};
const port = Number(process.env.TG_PORT || 9000);
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
// Without this, one failed webhook POST is an unhandled rejection and node exits.
process.on('unhandledRejection', (e) => console.error('unhandledRejection:', e && e.message));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
server.start().then(() => console.log(`telegram-test-api listening on ${server.config.apiURL}`));
