// The portal's only page script (the Content-Security-Policy allows no inline script):
// messages for failed htmx requests, busy states, styled confirmations, and keeping what was
// typed when the login expired.
(function () {
  "use strict";

  // ---- Messages ---------------------------------------------------------------------------
  function toast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
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

  // ---- Busy state: an action shows it is working and cannot be sent twice ------------------
  function busyTargets(elt, submitter) {
    if (submitter) { return [submitter]; }
    if (elt.tagName === "FORM") {
      return Array.prototype.slice.call(elt.querySelectorAll("button[type=submit], button:not([type])"));
    }
    if (elt.tagName === "BUTTON" || elt.tagName === "A") { return [elt]; }
    return [];
  }
  function setBusy(els, on) {
    els.forEach(function (el) {
      if (on) {
        el.dataset.wasDisabled = el.disabled ? "1" : "";
        el.disabled = true;
        el.classList.add("is-busy");
        el.setAttribute("aria-busy", "true");
      } else {
        if (!el.dataset.wasDisabled) { el.disabled = false; }
        el.classList.remove("is-busy");
        el.removeAttribute("aria-busy");
      }
    });
  }
  var busy = new WeakMap();
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    var verb = (evt.detail.requestConfig && evt.detail.requestConfig.verb) || "get";
    // Live searches and filters (GET on input/change) keep their fields usable while they load.
    if (verb === "get" && elt.tagName !== "BUTTON" && elt.tagName !== "A") { return; }
    var submitter = evt.detail.requestConfig && evt.detail.requestConfig.triggeringEvent &&
      evt.detail.requestConfig.triggeringEvent.submitter;
    var els = busyTargets(elt, submitter);
    busy.set(elt, els);
    setBusy(els, true);
  });
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    var els = busy.get(evt.detail.elt);
    if (els) { setBusy(els, false); busy.delete(evt.detail.elt); }
  });
  // A plain form (no htmx) also shows it is working; the button comes back if the page stays
  // (a download, or the browser's back button).
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get") ||
        (evt.submitter && evt.submitter.hasAttribute("hx-post"))) { return; }
    var els = busyTargets(form, evt.submitter);
    if ((form.method || "get").toLowerCase() === "get") { return; }
    setTimeout(function () { setBusy(els, true); }, 0);  // after the submitter's value is taken
    setTimeout(function () { setBusy(els, false); }, 15000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".is-busy").forEach(function (el) { setBusy([el], false); });
  });

  // ---- Confirmations: hx-confirm and data-confirm open a styled dialog ----------------------
  function confirmDialog(question, onYes) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(question)) { onYes(); }
      return;
    }
    dialog.querySelector("[data-confirm-text]").textContent = question;
    var yes = dialog.querySelector("[data-confirm-yes]");
    var no = dialog.querySelector("[data-confirm-no]");
    function close(ok) {
      yes.removeEventListener("click", onClickYes);
      no.removeEventListener("click", onClickNo);
      dialog.removeEventListener("cancel", onClickNo);
      dialog.close();
      if (ok) { onYes(); }
    }
    function onClickYes() { close(true); }
    function onClickNo(e) { if (e) { e.preventDefault(); } close(false); }
    yes.addEventListener("click", onClickYes);
    no.addEventListener("click", onClickNo);
    dialog.addEventListener("cancel", onClickNo);
    dialog.showModal();
    no.focus();
  }
  document.body.addEventListener("htmx:confirm", function (evt) {
    var question = evt.detail.question;
    if (!question) { return; }
    evt.preventDefault();
    confirmDialog(question, function () { evt.detail.issueRequest(true); });
  });
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var source = (evt.submitter && evt.submitter.getAttribute("data-confirm")) ? evt.submitter : form;
    var question = source.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed === "1") { form.dataset.confirmed = ""; return; }
    evt.preventDefault();
    evt.stopImmediatePropagation();
    var submitter = evt.submitter;
    confirmDialog(question, function () {
      form.dataset.confirmed = "1";
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
  }, true);

  // ---- Keep what was typed when the login expired -----------------------------------------
  // Before a form is sent, its fields are kept in this tab's sessionStorage. When the answer is the
  // login page (the login expired), they stay; after logging in, the server brings the user back to
  // the page of the form and its fields are filled in again. Any other answer drops them.
  var KEY = "portal.pendingForm";
  var LOGIN_PATH = document.body.getAttribute("data-login-path") || "/login";

  function keepForm(form) {
    if (!form || !form.id || (form.method || "get").toLowerCase() === "get" || form.hasAttribute("data-no-keep")) { return; }
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "password" || el.type === "hidden" ||
          el.name === "csrf_token") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        fields.push({name: el.name, value: el.value, checked: el.checked});
      } else if (el.tagName === "SELECT" && el.multiple) {
        fields.push({name: el.name, values: Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; })});
      } else {
        fields.push({name: el.name, value: el.value});
      }
    });
    // Checked knowledge-base entries live outside the call form (form="call-form" inputs are included above).
    try {
      sessionStorage.setItem(KEY, JSON.stringify({path: location.pathname + location.search, form: form.id, fields: fields}));
    } catch (e) { /* storage full or disabled: nothing kept */ }
  }
  document.addEventListener("submit", function (evt) { if (!evt.defaultPrevented) { keepForm(evt.target); } });
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    var form = elt.tagName === "FORM" ? elt : elt.form || elt.closest("form");
    if (form && evt.detail.requestConfig && evt.detail.requestConfig.verb !== "get") { keepForm(form); }
  });
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status !== 401 && !(xhr.getResponseHeader && xhr.getResponseHeader("HX-Redirect") &&
        xhr.getResponseHeader("HX-Redirect").indexOf(LOGIN_PATH) === 0)) {
      sessionStorage.removeItem(KEY);
    }
  });

  function restoreForm() {
    var raw = sessionStorage.getItem(KEY);
    if (!raw) { return; }
    if (location.pathname === LOGIN_PATH) {
      sessionStorage.setItem(KEY + ".afterLogin", "1");
      return;
    }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { saved = null; }
    var afterLogin = sessionStorage.getItem(KEY + ".afterLogin") === "1";
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(KEY + ".afterLogin");
    if (!saved || !afterLogin) { return; }
    var form = document.getElementById(saved.form);
    if (!form) { return; }
    saved.fields.forEach(function (f) {
      var els = document.querySelectorAll('[name="' + f.name.replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.form !== form) { return; }
        if (f.values) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = f.values.indexOf(o.value) >= 0; });
        } else if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === f.value) { el.checked = f.checked; }
        } else {
          el.value = f.value;
        }
      });
    });
    var note = document.createElement("div");
    note.className = "alert alert-info";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "restored-notice");
    note.textContent = "已恢复登录过期前填写的内容，请核对后重新提交。";
    form.insertBefore(note, form.firstChild);
    var first = form.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.dispatchEvent(new Event("input", {bubbles: true})); }
  }
  restoreForm();

  // ---- Inline messages, not the browser's bubbles: the server answers every bad input in Chinese ---
  function noBubbles(root) {
    (root.querySelectorAll ? root.querySelectorAll("form") : []).forEach(function (f) { f.noValidate = true; });
  }
  noBubbles(document);
  document.body.addEventListener("htmx:load", function (evt) { noBubbles(evt.detail.elt.parentNode || document); });

  // ---- Small behaviours that used to be inline handlers -------------------------------------
  // Print buttons: <button data-print>.
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest && evt.target.closest("[data-print]");
    if (el) { window.print(); }
  });
})();
