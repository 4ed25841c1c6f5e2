// Local Telegram Bot API emulator for the end-to-end tests (see ../../../shared/TESTING-RECIPES.md §1).
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
