// Web chat for the government portal. Every text from the server or the user is inserted with
// textContent, never as HTML: a question containing <script> is shown, not run.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const cardTemplate = document.getElementById("card-template");
  let lastNotice = 0;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m-" + Date.now() + "-" + Math.random().toString(16).slice(2);
  }

  function bubble(who, label) {
    const item = document.createElement("li");
    item.className = "msg " + who;
    if (label) {
      const tag = document.createElement("span");
      tag.className = "who";
      tag.textContent = label;
      item.appendChild(tag);
    }
    log.appendChild(item);
    return item;
  }

  function para(parent, text, cls) {
    const p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = text;
    parent.appendChild(p);
    return p;
  }

  function renderChoices(parent, part) {
    const group = document.createElement("div");
    group.className = part.numbered ? "choices numbered" : "choices quick";
    group.setAttribute("role", "group");
    if (part.prompt) {
      const id = "p-" + newId();
      para(group, part.prompt, "prompt").id = id;
      group.setAttribute("aria-labelledby", id);
    }
    part.choices.forEach(function (choice, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.dataset.payload = choice.payload;
      button.textContent = part.numbered ? (index + 1) + ". " + choice.label : choice.label;
      button.addEventListener("click", function () {
        ask({ payload: choice.payload, shown: choice.label });
      });
      group.appendChild(button);
    });
    parent.appendChild(group);
  }

  function definitions(list, pairs) {
    pairs.forEach(function (pair) {
      const dt = document.createElement("dt");
      dt.textContent = pair[0];
      const dd = document.createElement("dd");
      dd.textContent = pair[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
  }

  function renderCard(parent, card) {
    const node = cardTemplate.content.firstElementChild.cloneNode(true);
    node.dataset.recordId = card.record_id;
    node.querySelector(".card-title").textContent = card.title;
    node.querySelector(".card-meta").textContent = card.kind + " · " + card.status;
    if (card.warning) {
      const warning = node.querySelector(".card-warning");
      warning.textContent = card.warning;
      warning.hidden = false;
    }
    node.querySelector(".card-answer").textContent = card.short_answer;
    definitions(node.querySelector(".card-sections"), card.sections);
    definitions(node.querySelector(".card-facts"), card.facts.map(function (f) { return [f.label, f.value]; }));
    if (/^https?:\/\//.test(card.source_url || "")) {
      const source = node.querySelector(".card-source");
      source.querySelector("a").href = card.source_url;
      source.hidden = false;
    }
    node.querySelector(".card-disclaimer").textContent = card.disclaimer;
    parent.appendChild(node);
  }

  function renderReply(reply) {
    const item = bubble("bot", "政策咨询助手");
    item.dataset.action = reply.action;
    reply.parts.forEach(function (part) {
      if (part.type === "text") para(item, part.text, "text");
      else if (part.type === "choices") renderChoices(item, part);
      else if (part.type === "card") renderCard(item, part);
    });
    if (reply.consultation_number) {
      para(item, "咨询编号：" + reply.consultation_number, "consultation");
    }
    item.scrollIntoView({ block: "end" });
  }

  async function post(body, attempts) {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch("/api/chat/messages", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
        const data = await response.json();
        if (!response.ok) throw new Error(data.detail || "请求失败");
        return data;
      } catch (error) {
        // The same message id is sent again: the server answers a delivery once.
        if (attempt >= attempts) throw error;
        await new Promise(function (resolve) { setTimeout(resolve, 800 * attempt); });
      }
    }
  }

  async function ask(message) {
    const shown = message.shown || message.text;
    if (shown) para(bubble("user"), shown, "text");
    send.disabled = true;
    try {
      const reply = await post({ message_id: newId(), text: message.text || "", payload: message.payload || "" }, 3);
      renderReply(reply);
    } catch (error) {
      para(bubble("bot error"), "网络不稳定，消息没有发出，请稍后重试，或拨打 12345。", "text");
    } finally {
      send.disabled = false;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    ask({ text: text });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  async function pollNotices() {
    try {
      const response = await fetch("/api/chat/updates?after=" + lastNotice, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        data.notices.forEach(function (notice) {
          lastNotice = Math.max(lastNotice, notice.id);
          const item = bubble("bot staff", "工作人员答复");
          item.dataset.consultation = notice.consultation_number;
          if (notice.consultation_number) para(item, "咨询编号：" + notice.consultation_number, "consultation");
          para(item, notice.text, "text");
          renderChoices(item, { prompt: "这个答复对您有帮助吗？", numbered: false, choices: [
            { label: "满意", payload: "rate:" + notice.consultation_number + ":good" },
            { label: "不满意", payload: "rate:" + notice.consultation_number + ":bad" },
          ] });
          item.scrollIntoView({ block: "end" });
        });
      }
    } catch (error) { /* offline: try again at the next tick */ }
  }

  async function start() {
    try {
      const response = await fetch("/api/chat/history", { credentials: "same-origin" });
      const data = await response.json();
      lastNotice = data.last_notice || 0;
      data.exchanges.forEach(function (exchange) {
        if (exchange.user) para(bubble("user"), exchange.user, "text");
        renderReply(exchange.reply);
      });
      if (!data.exchanges.length) await ask({ payload: "menu" });
    } catch (error) {
      para(bubble("bot error"), "暂时无法连接，请稍后刷新页面，或拨打 12345。", "text");
    }
    setInterval(pollNotices, 4000);
  }

  start();
})();
