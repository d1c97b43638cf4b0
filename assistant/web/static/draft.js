/* The draft page: view, autosave (PATCH) and print or download a draft application.
 * The token comes from the URL fragment (#token=...), which browsers never send to a
 * server, and travels only in the Authorization header of our own API calls. */
(function () {
  "use strict";
  var P = window.IUC_PAGES, t = P.t;
  var TEXT_FIELDS = ["city", "country", "region", "contact_name", "contact_email", "role", "motivation"];
  var draftId = decodeURIComponent(location.pathname.split("/").pop() || "");
  var token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  var current = null;
  var timer = null;
  var pending = {};

  function api(method, body) {
    return fetch("/api/applications/" + encodeURIComponent(draftId), {
      method: method,
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      return r.json().then(function (b) {
        if (!r.ok) { var e = new Error(b.detail || String(r.status)); e.status = r.status; throw e; }
        return b;
      });
    });
  }

  function fill(form, draft) {
    TEXT_FIELDS.forEach(function (name) { form[name].value = draft[name] == null ? "" : draft[name]; });
    form.population.value = draft.population == null ? "" : draft.population;
    form.group_of_municipalities.checked = !!draft.group_of_municipalities;
    form.themes.value = (draft.themes || []).join("\n");
  }

  function read(form, name) {
    if (name === "population") return form.population.value === "" ? null : Number(form.population.value);
    if (name === "group_of_municipalities") return form.group_of_municipalities.checked;
    if (name === "themes") {
      return form.themes.value.split("\n").filter(function (line) { return line.trim(); });
    }
    return form[name].value;
  }

  function save() {
    var changes = pending;
    pending = {};
    var status = document.getElementById("saved");
    status.textContent = t("saving");
    api("PATCH", changes).then(function (draft) {
      current = draft;
      status.textContent = t("saved");
    }).catch(function (e) {
      // Keep the unsaved edits so the next change retries them.
      Object.keys(changes).forEach(function (k) { if (!(k in pending)) pending[k] = changes[k]; });
      status.textContent = t("notSaved") + e.message;
    });
  }

  function schedule(form, name) {
    pending[name] = read(form, name);
    clearTimeout(timer);
    timer = setTimeout(save, 600);
  }

  function download(filename, type, content) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function asText(draft) {
    var form = document.getElementById("draft-form");
    return Array.prototype.map.call(form.querySelectorAll("label[for], label > input"), function (node) {
      var label = node.tagName === "LABEL" ? node : node.parentNode;
      var input = node.tagName === "LABEL" ? document.getElementById(node.htmlFor) : node;
      var value = input.type === "checkbox" ? (input.checked ? t("yes") : t("no")) : input.value;
      var name = (label.querySelector("[data-i18n]") || label).textContent.trim();
      return name + ": " + value;
    }).join("\n") + "\n";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("draft-form");
    var error = document.getElementById("draft-error");
    if (!token) { error.textContent = t("draftMissing"); return; }
    api("GET").then(function (draft) {
      current = draft;
      fill(form, draft);
      form.hidden = false;
      form.addEventListener("input", function (event) {
        if (event.target.name) schedule(form, event.target.name);
      });
      form.addEventListener("change", function (event) {
        if (event.target.type === "checkbox") schedule(form, event.target.name);
      });
      document.getElementById("print").addEventListener("click", function () { window.print(); });
      document.getElementById("download-json").addEventListener("click", function () {
        download("draft-" + draftId + ".json", "application/json", JSON.stringify(current, null, 2));
      });
      document.getElementById("download-text").addEventListener("click", function () {
        download("draft-" + draftId + ".txt", "text/plain;charset=utf-8", asText(current));
      });
    }).catch(function (e) {
      error.textContent = e.status === 404 ? t("draftMissing") : t("error") + e.message;
    });
  });
})();
