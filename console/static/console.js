// Live conversation: new chat lines arrive by server-sent events and are appended.
(function () {
  const chat = document.getElementById("chat");
  if (!chat || !window.EventSource) return;
  const labels = { customer: chat.dataset.customer || "Customer", bot: "Bot", support: "Support" };
  const source = new EventSource(chat.dataset.events);
  source.onmessage = function (event) {
    const m = JSON.parse(event.data);
    if (document.querySelector('[data-id="' + m.id + '"]')) return;
    const li = document.createElement("li");
    li.className = "msg " + m.who;
    li.dataset.id = m.id;
    const time = document.createElement("time");
    time.textContent = m.at;
    const who = document.createElement("b");
    who.textContent = " " + (labels[m.who] || m.who);
    const text = document.createElement("p");
    text.textContent = m.text;
    li.append(time, who, text);
    chat.append(li);
    li.scrollIntoView({ block: "nearest" });
  };
})();

// Dashboard charts: each canvas carries its Chart.js config as JSON (no inline script under the CSP).
(function () {
  if (!window.Chart) return;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const config = JSON.parse(canvas.dataset.chart);
    config.options = Object.assign({ animation: false, maintainAspectRatio: false }, config.options || {});
    new window.Chart(canvas, config);
  });
})();
