// Shows a message for every htmx request that fails, so nothing fails silently.
(function () {
  function toast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box) { alert(text); return; }
    var el = document.createElement("div");
    el.className = "alert alert-" + (kind || "danger") + " shadow";
    el.setAttribute("role", "alert");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }
  window.portalToast = toast;

  document.body.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var msg = doc.querySelector("[data-message]");
      text = msg ? msg.getAttribute("data-message") : "";
    } catch (e) { text = ""; }
    if (!text) {
      text = xhr.status === 401 ? "登录已过期，请重新登录。" :
             xhr.status === 403 ? "您没有权限执行此操作。" :
             xhr.status === 404 ? "内容不存在，或您无权查看。" :
             xhr.status === 429 ? "操作过于频繁，请稍后再试。" :
             "操作失败（" + xhr.status + "），请稍后重试。";
    }
    toast(text);
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("无法连接服务器，请检查网络后重试。");
  });
  // A swapped 422/409 fragment that carries a message is also shown as a toast.
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && (xhr.status === 409 || xhr.status === 422)) {
      var msg = evt.detail.elt.querySelector && evt.detail.elt.querySelector("[data-message]");
      if (msg) { toast(msg.getAttribute("data-message"), "warning"); }
    }
  });
})();
