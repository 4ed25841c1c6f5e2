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
