// One line on a portal page embeds the chat:
//   <script src="https://政务服务网/static/embed.js" async></script>
// It adds a floating button that opens the chat in a frame from the same server.
(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "政策咨询";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:12px 16px;border:0;border-radius:24px;background:#b3261e;color:#fff;font-size:16px;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
  var frame = document.createElement("iframe");
  frame.title = "政策咨询助手";
  frame.src = origin + "/?embed=1";
  frame.style.cssText = "position:fixed;right:16px;bottom:72px;width:min(400px,calc(100vw - 32px));height:min(640px,calc(100vh - 96px));border:1px solid #d0d7de;border-radius:12px;background:#fff;z-index:2147483000;display:none";
  button.addEventListener("click", function () {
    var open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
