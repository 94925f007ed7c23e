// Progressive enhancement of the answer form: autosave, and a warning before leaving unsaved
// work. Without JavaScript the form saves with its buttons.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave='on']");
  if (!form || !window.fetch) return;
  var status = form.querySelector("[data-save-status]");
  var dirty = false;
  var timer = null;
  var saving = false;

  function say(text) { if (status) status.textContent = text; }
  // The words come from the page, translated there (data-msg-* on the form); "{time}" is filled in.
  function message(name, time) {
    return (form.dataset["msg" + name] || "").replace("{time}", time || "");
  }

  function save() {
    if (!dirty || saving) return;
    saving = true;
    dirty = false;
    say(message("Saving"));
    fetch(window.location.pathname, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Autosave": "1" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      saving = false;
      var versions = result.data.versions || {};
      Object.keys(versions).forEach(function (name) {
        var input = form.querySelector("input[name='" + name + "']");
        if (input) input.value = versions[name];
      });
      if (result.status === 200) {
        say(message("Saved", new Date().toLocaleTimeString()));
      } else if (result.status === 409 && result.data.conflicts) {
        dirty = true;
        say(message("Conflict"));
      } else {
        dirty = true;
        say(message("Invalid"));
      }
    }).catch(function () {
      saving = false;
      dirty = true;
      say(message("Offline"));
    });
  }

  form.addEventListener("input", function () {
    dirty = true;
    say(message("Unsaved"));
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  });
  form.addEventListener("submit", function () { dirty = false; clearTimeout(timer); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
