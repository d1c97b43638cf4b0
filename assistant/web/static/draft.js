/* The draft page: view, autosave (PATCH) and print or download a draft application.
 * The token comes from the URL fragment (#token=...), which browsers never send to a
 * server, and travels only in the Authorization header of our own API calls.
 * The page shows in the draft's language, whatever device opens the link. */
(function () {
  "use strict";
  var P = window.IUC_PAGES, t = P.t, el = P.el;
  var TEXT_FIELDS = ["city", "region", "contact_name", "contact_email", "role", "motivation"];
  var draftId = decodeURIComponent(location.pathname.split("/").pop() || "");
  var token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  var current = null;
  var timer = null;
  var pending = {};
  // A refusal of the field being typed in waits until the user leaves it: "too short"
  // under a motivation still being written would only interrupt.
  var deferred = {};

  function api(method, body) {
    return fetch("/api/applications/" + encodeURIComponent(draftId), {
      method: method,
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      return r.json().then(function (b) {
        if (!r.ok) { var e = new Error(b.detail || String(r.status)); e.status = r.status; e.body = b; throw e; }
        return b;
      });
    });
  }

  // One checkbox per theme of the call, labelled in the draft's language, then the
  // themes of the user's own (kept as typed, shown checked).
  function drawThemes(form, choices, draft) {
    var list = document.getElementById("theme-list");
    var chosen = draft.themes || [];
    var labels = {};
    (draft.theme_labels || []).forEach(function (x) { labels[x.id] = x.label; });
    var ids = choices.map(function (c) { return c.id; });
    var all = choices.concat(chosen.filter(function (id) { return ids.indexOf(id) < 0; })
      .map(function (id) { return { id: id, label: labels[id] || id }; }));
    list.textContent = "";
    all.forEach(function (choice) {
      addTheme(list, choice.id, choice.label, chosen.indexOf(choice.id) >= 0);
    });
  }

  function addTheme(list, id, label, checked) {
    var row = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.name = "themes";
    box.id = "theme-" + list.children.length;
    box.value = id;
    box.checked = checked;
    row.appendChild(box);
    row.appendChild(document.createTextNode(" " + label));
    list.appendChild(row);
  }

  // A theme typed in the box joins the list, ticked, and is saved (kept as typed).
  function addOwnTheme(form) {
    var input = document.getElementById("f-own-theme");
    var text = input.value.trim();
    if (!text) return;
    var taken = Array.prototype.some.call(form.querySelectorAll("input[name=themes]"), function (b) {
      if (b.value.toLowerCase() !== text.toLowerCase()) return false;
      b.checked = true;
      return true;
    });
    if (!taken) addTheme(document.getElementById("theme-list"), text, text, true);
    input.value = "";
    schedule(form, "themes");
  }

  function fill(form, draft) {
    TEXT_FIELDS.forEach(function (name) { form[name].value = draft[name] == null ? "" : draft[name]; });
    // Names in the draft's language; the API reads them back in any language.
    form.country.value = draft.country_name || draft.country || "";
    form.region.value = draft.region_name || draft.region || "";
    form.population.value = draft.population == null ? "" : draft.population;
    form.group_of_municipalities.checked = !!draft.group_of_municipalities;
  }

  function read(form, name) {
    if (name === "population") return form.population.value === "" ? null : Number(form.population.value);
    if (name === "group_of_municipalities") return form.group_of_municipalities.checked;
    if (name === "themes") {
      return Array.prototype.filter.call(form.querySelectorAll("input[name=themes]"), function (b) {
        return b.checked;
      }).map(function (b) { return b.value; });
    }
    return form[name].value;
  }

  function save(form) {
    var changes = pending;
    pending = {};
    var status = document.getElementById("saved");
    status.textContent = t("saving");
    api("PATCH", changes).then(function (draft) {
      current = draft;
      Object.keys(changes).forEach(function (name) { P.fieldError(form, name, ""); });
      status.textContent = t("saved");
    }).catch(function (e) {
      if (e.status === 422) {
        // The refused values stay on screen with the reason beside them; the others
        // of this batch are retried with the next edit.
        var refused = {};
        var editing = document.activeElement && document.activeElement.name;
        ((e.body && e.body.errors) || []).forEach(function (error) {
          var name = String((error.loc || []).filter(function (p) { return p !== "body"; })[0]);
          refused[name] = true;
          if (name === editing) deferred[name] = P.errorText(error);
          else P.fieldError(form, name, P.errorText(error));
        });
        Object.keys(changes).forEach(function (k) { if (!refused[k] && !(k in pending)) pending[k] = changes[k]; });
        status.textContent = "";
        if (Object.keys(pending).length) schedule(form, null);
        return;
      }
      Object.keys(changes).forEach(function (k) { if (!(k in pending)) pending[k] = changes[k]; });
      status.textContent = e.status === 404 ? t("draftMissing") : t("errOffline");
    });
  }

  function schedule(form, name) {
    if (name) {
      pending[name] = read(form, name);
      delete deferred[name];
      P.fieldError(form, name, "");
    }
    clearTimeout(timer);
    timer = setTimeout(function () { save(form); }, 600);
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

  function asText(form) {
    var line = function (key, value) { return t(key) + ": " + (value == null ? "" : value); };
    var themes = Array.prototype.filter.call(form.querySelectorAll("input[name=themes]"), function (b) {
      return b.checked;
    }).map(function (b) { return b.parentNode.textContent.trim(); });
    return [
      line("city", form.city.value), line("country", form.country.value),
      line("region", form.region.value), line("population", form.population.value),
      line("group", form.group_of_municipalities.checked ? t("yes") : t("no")),
      line("contactName", form.contact_name.value), line("contactEmail", form.contact_email.value),
      line("role", form.role.value), line("themesField", themes.join(", ")),
      line("motivation", form.motivation.value),
    ].join("\n") + "\n";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("draft-form");
    var error = document.getElementById("draft-error");
    if (!token) { error.textContent = t("draftMissing"); return; }
    api("GET").then(function (draft) {
      current = draft;
      P.setLang(draft.language);
      var notice = document.getElementById("call-status");
      if (draft.call && draft.call.sentence) {
        notice.textContent = draft.call.sentence;
        notice.setAttribute("data-open", String(draft.call.open));
        notice.hidden = false;
      }
      return fetch("/api/themes?lang=" + P.lang).then(function (r) {
        return r.ok ? r.json() : [];
      }, function () { return []; }).then(function (choices) {
        drawThemes(form, choices, draft);
        fill(form, draft);
        form.hidden = false;
      });
    }).then(function () {
      if (!current) return;
      form.addEventListener("input", function (event) {
        var name = event.target.name;
        if (name && event.target.type !== "checkbox") schedule(form, name);
      });
      form.addEventListener("change", function (event) {
        if (event.target.type === "checkbox") schedule(form, event.target.name);
      });
      form.addEventListener("focusout", function (event) {
        var name = event.target.name;
        if (name && deferred[name]) { P.fieldError(form, name, deferred[name]); delete deferred[name]; }
      });
      var own = document.getElementById("f-own-theme");
      own.addEventListener("change", function () { addOwnTheme(form); });
      own.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); addOwnTheme(form); }
      });
      document.getElementById("print").addEventListener("click", function () { window.print(); });
      document.getElementById("download-json").addEventListener("click", function () {
        download("draft-" + draftId + ".json", "application/json", JSON.stringify(current, null, 2));
      });
      document.getElementById("download-text").addEventListener("click", function () {
        download("draft-" + draftId + ".txt", "text/plain;charset=utf-8", asText(form));
      });
    }).catch(function (e) {
      error.textContent = e.status === 404 ? t("draftMissing") : t("failed");
    });
  });
})();
