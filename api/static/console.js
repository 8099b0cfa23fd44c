// The consultation page's knowledge-base search: find a record and insert it into the reply as a
// citation. Every text from the server is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("kb-search");
  const reply = document.getElementById("reply-text");
  if (!form || !reply) return;
  const input = document.getElementById("kb-q");
  const status = document.getElementById("kb-status");
  const results = document.getElementById("kb-results");
  form.hidden = false; // the search needs this script; without it the page still works

  function insertCitation(text) {
    // Insert at the caret (replacing a selection), on a line of its own.
    const start = reply.selectionStart ?? reply.value.length;
    const end = reply.selectionEnd ?? start;
    const before = reply.value.slice(0, start);
    const after = reply.value.slice(end);
    const lead = before && !before.endsWith("\n") ? "\n" : "";
    const trail = after && !after.startsWith("\n") ? "\n" : "";
    reply.value = before + lead + text + trail + after;
    const caret = (before + lead + text).length;
    reply.focus();
    reply.setSelectionRange(caret, caret);
    status.textContent = "已插入引用，可继续编辑答复。";
  }

  function show(items) {
    results.replaceChildren();
    items.forEach(function (item) {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.className = "title";
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      li.appendChild(link);
      if (item.doc_number) {
        const number = document.createElement("span");
        number.className = "doc-number";
        number.textContent = item.doc_number;
        li.appendChild(number);
      }
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "插入引用";
      button.setAttribute("aria-label", "插入引用：" + item.title);
      button.addEventListener("click", function () { insertCitation(item.citation); });
      li.appendChild(button);
      results.appendChild(li);
    });
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const query = input.value.trim();
    if (!query) {
      status.textContent = "请输入要检索的关键词。";
      input.focus();
      return;
    }
    status.textContent = "正在检索…";
    try {
      const response = await fetch("/console/kb-search?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        status.textContent = "登录已过期，请刷新页面重新登录（答复内容请先复制保存）。";
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      show(data.results);
      status.textContent = data.results.length
        ? "找到 " + data.results.length + " 条，点击“插入引用”加入答复。"
        : "没有找到相关政策，请换个关键词。";
    } catch (error) {
      status.textContent = "检索失败，请稍后再试。";
    }
  });
})();
