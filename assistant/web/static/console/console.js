/*
 * The staff console: review of unanswered questions, usage charts, drafts and hand-off
 * requests. Reads /api/admin/*; the browser sends the HTTP Basic credentials the
 * staff member signed in with. Changes carry the X-Requested-With header the server
 * demands (CSRF). Text is only ever set with textContent.
 */
(function () {
  "use strict";

  var STRINGS = {
    en: {
      title: "IUC assistant: staff console", sections: "Sections", language: "Language",
      review: "Unanswered questions", usage: "Usage", drafts: "Drafts", handoffs: "Hand-off requests",
      reviewHelp: "Questions the assistant declined or did not understand, and answers visitors marked not helpful, grouped. Add a group as paraphrases of an entry or mark it out of scope, then download the lines, append them to knowledge/corpus/user_questions.jsonl and run make kb.",
      period: "Period (days)", groupBy: "Group by", bySimilarity: "similarity", byEntry: "nearest entry",
      exportJsonl: "Download the lines (.jsonl)", exportPatch: "Download as a patch",
      pending: "{n} line(s) ready to export", noGroups: "No unanswered question in this period.",
      groupTitle: "{n} question(s)", nearest: "nearest entry: {entry}", none: "none",
      asked: "asked {n}×", disliked: "{n}× not helpful",
      entry: "Entry", addParaphrases: "Add as paraphrases", outOfScope: "Mark out of scope",
      similarityOff: "The knowledge index is not loaded: grouped by nearest entry.",
      decided: "Saved: {n} question(s). {pending} line(s) ready to export.",
      chooseEntry: "Choose an entry first.",
      turns: "Chat turns", answerRate: "Answer rate", fallbackRate: "Not understood", degradedRate: "Degraded mode",
      helpful: "Helpful / not helpful",
      perDay: "Questions per day by language", rates: "Outcome rates", topEntries: "Most answered entries",
      verdicts: "Eligibility verdicts by country", draftsPerWeek: "Drafts created per week (week of)",
      day: "Day", entryCol: "Entry", countryCol: "Country", week: "Week", rate: "Rate", count: "Count",
      total: "Total", empty: "No data in this period.",
      country: "Country", draftLanguage: "Language", search: "Search", since: "Created since", csv: "Export CSV",
      all: "All", city: "City", contact: "Contact", created: "Created", updated: "Updated", detail: "Detail",
      open: "Open", shown: "{n} of {total} drafts", close: "Close",
      noHandoffs: "No hand-off request.", from: "From", message: "Message", transcript: "Conversation ({n} messages)",
      markDone: "Mark done", reopen: "Reopen", doneOn: "Done on {date}", openRequest: "Open",
      mailed: "e-mailed", user: "Visitor", bot: "Assistant",
      error: "Could not load: {detail}",
    },
    fr: {
      title: "Assistant IUC : console de l'équipe", sections: "Sections", language: "Langue",
      review: "Questions sans réponse", usage: "Utilisation", drafts: "Brouillons", handoffs: "Demandes de contact",
      reviewHelp: "Les questions que l'assistant a déclinées ou n'a pas comprises, et les réponses jugées pas utiles, regroupées. Ajoutez un groupe comme paraphrases d'une entrée ou marquez-le hors sujet, puis téléchargez les lignes, ajoutez-les à knowledge/corpus/user_questions.jsonl et lancez make kb.",
      period: "Période (jours)", groupBy: "Regrouper par", bySimilarity: "similarité", byEntry: "entrée la plus proche",
      exportJsonl: "Télécharger les lignes (.jsonl)", exportPatch: "Télécharger un correctif (patch)",
      pending: "{n} ligne(s) prête(s) à exporter", noGroups: "Aucune question sans réponse sur cette période.",
      groupTitle: "{n} question(s)", nearest: "entrée la plus proche : {entry}", none: "aucune",
      asked: "posée {n}×", disliked: "{n}× pas utile",
      entry: "Entrée", addParaphrases: "Ajouter comme paraphrases", outOfScope: "Marquer hors sujet",
      similarityOff: "L'index de connaissances n'est pas chargé : regroupement par entrée la plus proche.",
      decided: "Enregistré : {n} question(s). {pending} ligne(s) prête(s) à exporter.",
      chooseEntry: "Choisissez d'abord une entrée.",
      turns: "Tours de conversation", answerRate: "Taux de réponse", fallbackRate: "Non compris", degradedRate: "Mode dégradé",
      helpful: "Utile / pas utile",
      perDay: "Questions par jour et par langue", rates: "Taux par issue", topEntries: "Entrées les plus répondues",
      verdicts: "Verdicts d'admissibilité par pays", draftsPerWeek: "Brouillons créés par semaine (semaine du)",
      day: "Jour", entryCol: "Entrée", countryCol: "Pays", week: "Semaine", rate: "Taux", count: "Nombre",
      total: "Total", empty: "Aucune donnée sur cette période.",
      country: "Pays", draftLanguage: "Langue", search: "Rechercher", since: "Créés depuis", csv: "Exporter en CSV",
      all: "Tous", city: "Ville", contact: "Contact", created: "Créé", updated: "Modifié", detail: "Détail",
      open: "Ouvrir", shown: "{n} brouillon(s) sur {total}", close: "Fermer",
      noHandoffs: "Aucune demande de contact.", from: "De", message: "Message", transcript: "Conversation ({n} messages)",
      markDone: "Marquer traité", reopen: "Rouvrir", doneOn: "Traité le {date}", openRequest: "Ouverte",
      mailed: "envoyée par courriel", user: "Visiteur", bot: "Assistant",
      error: "Chargement impossible : {detail}",
    },
  };

  var params = new URLSearchParams(location.search);
  var lang = params.get("lang") || localStorage.getItem("iuc-console-lang") ||
    ((navigator.language || "en").slice(0, 2) === "fr" ? "fr" : "en");
  if (!STRINGS[lang]) lang = "en";

  function t(key, values) {
    var text = (STRINGS[lang] || STRINGS.en)[key] || STRINGS.en[key] || key;
    Object.keys(values || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(values[k]));
    });
    return text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function say(text) {
    $("status").textContent = text;
  }

  function api(path, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-Requested-With"] = "iuc-console";
    }
    return fetch(path, {
      method: options.method || "GET",
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.detail || response.statusText);
        return data;
      });
    });
  }

  function percent(x) {
    return x === null || x === undefined ? "–" : (x * 100).toFixed(1) + " %";
  }

  function date(value) {
    return value ? new Date(value).toLocaleString(lang === "fr" ? "fr-CA" : "en-CA") : "";
  }

  // --- static texts --------------------------------------------------------------

  function applyStrings() {
    document.documentElement.lang = lang;
    document.title = t("title");
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (node) {
      node.textContent = t(node.getAttribute("data-t"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-t-label]"), function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-t-label")));
    });
    $("lang").value = lang;
  }

  // --- review of unanswered questions ------------------------------------------------

  var entries = [];

  function loadEntries() {
    return api("/api/admin/entries").then(function (list) {
      entries = list;
      var datalist = $("entry-list");
      datalist.textContent = "";
      list.forEach(function (entry) {
        var option = el("option");
        option.value = entry.id;
        option.label = entry.question;
        datalist.appendChild(option);
      });
    });
  }

  function setPending(n) {
    $("export-count").textContent = t("pending", { n: n });
  }

  function renderGroup(group) {
    var article = el("article", "group");
    article.setAttribute("data-group", group.id);
    var heading = el("h3", null, t("groupTitle", { n: group.count }) + " · " +
      t("nearest", { entry: group.nearest_entry || t("none") }));
    heading.id = "group-" + group.id;
    article.setAttribute("aria-labelledby", heading.id);
    article.appendChild(heading);
    var list = el("ul", "questions");
    group.questions.forEach(function (q) {
      var item = el("li");
      item.appendChild(el("span", "q", q.text));
      var meta = " (" + q.language + ", " + t("asked", { n: q.count });
      if (q.disliked) meta += ", " + t("disliked", { n: q.disliked });
      item.appendChild(el("span", "meta", meta + ")"));
      list.appendChild(item);
    });
    article.appendChild(list);

    var actions = el("div", "actions");
    var label = el("label");
    label.appendChild(el("span", null, t("entry") + " "));
    var input = el("input");
    input.setAttribute("list", "entry-list");
    input.value = group.nearest_entry || "";
    input.className = "entry-input";
    label.appendChild(input);
    var add = el("button", "primary", t("addParaphrases"));
    add.type = "button";
    var scope = el("button", null, t("outOfScope"));
    scope.type = "button";
    actions.append(label, add, scope);
    article.appendChild(actions);

    function decide(decision) {
      var entry = input.value.trim();
      if (decision === "paraphrase" && !entry) {
        say(t("chooseEntry"));
        input.focus();
        return;
      }
      api("/api/admin/review", {
        method: "POST",
        body: {
          decision: decision,
          entry_id: decision === "paraphrase" ? entry : null,
          questions: group.questions.map(function (q) {
            return { text: q.text, language: q.language };
          }),
        },
      })
        .then(function (result) {
          say(t("decided", { n: result.decided, pending: result.pending_export }));
          setPending(result.pending_export);
          article.remove();
        })
        .catch(function (error) {
          say(error.message);
        });
    }
    add.addEventListener("click", function () { decide("paraphrase"); });
    scope.addEventListener("click", function () { decide("out_of_scope"); });
    return article;
  }

  function loadReview() {
    var days = $("review-days").value;
    var by = $("review-by").value;
    return api("/api/admin/unanswered?days=" + days + "&by=" + by).then(function (data) {
      var box = $("groups");
      box.textContent = "";
      setPending(data.pending_export);
      if (by === "similarity" && !data.grouped_by_similarity) {
        box.appendChild(el("p", "note", t("similarityOff")));
      }
      if (!data.groups.length) box.appendChild(el("p", null, t("noGroups")));
      data.groups.forEach(function (group) {
        box.appendChild(renderGroup(group));
      });
    });
  }

  // --- usage ------------------------------------------------------------------------

  function loadUsage() {
    return api("/api/admin/usage?days=" + $("usage-days").value).then(function (u) {
      var summary = $("summary");
      summary.textContent = "";
      [
        ["turns", String(u.turns)],
        ["answerRate", percent(u.answer_rate)],
        ["fallbackRate", percent(u.fallback_rate)],
        ["degradedRate", percent(u.degraded_rate)],
        ["helpful", u.helpful + " / " + u.not_helpful],
      ].forEach(function (pair) {
        var div = el("div");
        div.append(el("dt", null, t(pair[0])), el("dd", null, pair[1]));
        summary.appendChild(div);
      });

      var charts = $("charts");
      charts.textContent = "";
      var labels = { total: t("total"), empty: t("empty") };
      var langs = ["en", "fr", "es"];
      var days = {};
      u.per_day.forEach(function (d) {
        days[d.day] = days[d.day] || [0, 0, 0];
        var i = langs.indexOf(d.language);
        if (i >= 0) days[d.day][i] += d.questions;
      });
      IUCCharts.bars(charts, {
        id: "chart-per-day", title: t("perDay"), rowHeader: t("day"), series: langs, labels: labels,
        rows: Object.keys(days).sort().map(function (d) { return { label: d, values: days[d] }; }),
      });
      IUCCharts.bars(charts, {
        id: "chart-rates", title: t("rates"), rowHeader: "", series: [t("rate")], labels: labels, max: 1,
        format: percent,
        rows: u.turns ? [
          { label: t("answerRate"), values: [u.answer_rate || 0] },
          { label: t("fallbackRate"), values: [u.fallback_rate || 0] },
          { label: t("degradedRate"), values: [u.degraded_rate || 0] },
        ] : [],
      });
      IUCCharts.bars(charts, {
        id: "chart-top-entries", title: t("topEntries"), rowHeader: t("entryCol"), series: [t("count")], labels: labels,
        rows: u.top_entries.map(function (e) { return { label: e.label, values: [e.count] }; }),
      });
      var verdictNames = [];
      var countries = {};
      u.verdicts.forEach(function (v) {
        if (verdictNames.indexOf(v.verdict) < 0) verdictNames.push(v.verdict);
      });
      u.verdicts.forEach(function (v) {
        countries[v.country] = countries[v.country] || verdictNames.map(function () { return 0; });
        countries[v.country][verdictNames.indexOf(v.verdict)] += v.count;
      });
      IUCCharts.bars(charts, {
        id: "chart-verdicts", title: t("verdicts"), rowHeader: t("countryCol"), series: verdictNames, labels: labels,
        rows: Object.keys(countries).sort().map(function (c) { return { label: c, values: countries[c] }; }),
      });
      IUCCharts.bars(charts, {
        id: "chart-drafts", title: t("draftsPerWeek"), rowHeader: t("week"), series: [t("count")], labels: labels,
        rows: u.drafts_per_week.map(function (w) { return { label: w.label, values: [w.count] }; }),
      });
    });
  }

  // --- drafts -----------------------------------------------------------------------

  var allDrafts = [];

  function fillSelect(select, values) {
    var current = select.value;
    select.textContent = "";
    var any = el("option", null, t("all"));
    any.value = "";
    select.appendChild(any);
    values.forEach(function (v) {
      var option = el("option", null, v);
      option.value = v;
      select.appendChild(option);
    });
    select.value = current;
  }

  function unique(key) {
    var seen = {};
    allDrafts.forEach(function (d) { if (d[key]) seen[d[key]] = true; });
    return Object.keys(seen).sort();
  }

  function showDraft(draft) {
    var box = $("draft-detail");
    box.textContent = "";
    box.appendChild(el("h3", null, (draft.city || "?") + " (" + (draft.country || "?") + ")"));
    var dl = el("dl");
    Object.keys(draft).forEach(function (key) {
      var value = draft[key];
      if (value === null || value === "" || (Array.isArray(value) && !value.length)) return;
      dl.append(el("dt", null, key), el("dd", null, Array.isArray(value) ? value.join(", ") : String(value)));
    });
    box.appendChild(dl);
    var close = el("button", null, t("close"));
    close.type = "button";
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(close);
    box.hidden = false;
    box.focus();
  }

  function renderDrafts() {
    var country = $("draft-country").value;
    var language = $("draft-language").value;
    var search = $("draft-search").value.trim().toLowerCase();
    var since = $("draft-since").value;
    var shown = allDrafts.filter(function (d) {
      if (country && d.country !== country) return false;
      if (language && d.language !== language) return false;
      if (since && (d.created_at || "").slice(0, 10) < since) return false;
      if (search) {
        var hay = [d.city, d.contact_name, d.contact_email, d.region].join(" ").toLowerCase();
        if (hay.indexOf(search) < 0) return false;
      }
      return true;
    });
    var rows = $("draft-rows");
    rows.textContent = "";
    shown.slice().reverse().forEach(function (d) {
      var tr = el("tr");
      tr.append(
        el("td", null, d.city || ""), el("td", null, d.country || ""),
        el("td", null, [d.contact_name, d.contact_email].filter(Boolean).join(" · ")),
        el("td", null, date(d.created_at)), el("td", null, date(d.updated_at))
      );
      var td = el("td");
      var button = el("button", null, t("open"));
      button.type = "button";
      button.setAttribute("aria-label", t("open") + " " + (d.city || ""));
      button.addEventListener("click", function () { showDraft(d); });
      td.appendChild(button);
      tr.appendChild(td);
      rows.appendChild(tr);
    });
    $("draft-caption").textContent = t("shown", { n: shown.length, total: allDrafts.length });
  }

  function loadDrafts() {
    return api("/api/admin/applications").then(function (list) {
      allDrafts = list;
      fillSelect($("draft-country"), unique("country"));
      fillSelect($("draft-language"), unique("language"));
      renderDrafts();
    });
  }

  // --- hand-off requests --------------------------------------------------------------

  function renderHandoff(h) {
    var article = el("article", "handoff" + (h.done_at ? " handoff--done" : ""));
    article.setAttribute("data-handoff", h.id);
    var title = el("h3", null, date(h.created_at) + " · " + h.email + " (" + h.language + ")");
    article.appendChild(title);
    var state = el("p", "state", h.done_at ? t("doneOn", { date: date(h.done_at) }) : t("openRequest"));
    if (h.mailed) state.textContent += " · " + t("mailed");
    article.appendChild(state);
    var link = el("a", null, h.email);
    link.href = "mailto:" + encodeURIComponent(h.email);
    var from = el("p");
    from.append(el("strong", null, t("from") + " "), link);
    article.append(from, el("p", "message", h.message));
    var details = el("details");
    details.appendChild(el("summary", null, t("transcript", { n: h.transcript.length })));
    var list = el("ol", "transcript");
    h.transcript.forEach(function (line) {
      var item = el("li", "transcript__" + line.speaker);
      item.append(el("strong", null, (line.speaker === "user" ? t("user") : t("bot")) + ": "),
        document.createTextNode(line.text));
      list.appendChild(item);
    });
    details.appendChild(list);
    article.appendChild(details);
    var button = el("button", h.done_at ? null : "primary", h.done_at ? t("reopen") : t("markDone"));
    button.type = "button";
    button.addEventListener("click", function () {
      api("/api/admin/handoffs/" + encodeURIComponent(h.id) + "/done", {
        method: "POST",
        body: { done: !h.done_at },
      })
        .then(loadHandoffs)
        .catch(function (error) { say(error.message); });
    });
    article.appendChild(button);
    return article;
  }

  function loadHandoffs() {
    return api("/api/admin/handoffs").then(function (list) {
      var box = $("handoff-list");
      box.textContent = "";
      if (!list.length) box.appendChild(el("p", null, t("noHandoffs")));
      list.forEach(function (h) { box.appendChild(renderHandoff(h)); });
    });
  }

  // --- start --------------------------------------------------------------------------

  function failed(error) {
    say(t("error", { detail: error.message }));
  }

  function loadAll() {
    applyStrings();
    loadEntries().catch(failed);
    loadReview().catch(failed);
    loadUsage().catch(failed);
    loadDrafts().catch(failed);
    loadHandoffs().catch(failed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("lang").addEventListener("change", function () {
      lang = $("lang").value;
      localStorage.setItem("iuc-console-lang", lang);
      loadAll();
    });
    $("review-days").addEventListener("change", function () { loadReview().catch(failed); });
    $("review-by").addEventListener("change", function () { loadReview().catch(failed); });
    $("usage-days").addEventListener("change", function () { loadUsage().catch(failed); });
    ["draft-country", "draft-language", "draft-since"].forEach(function (id) {
      $(id).addEventListener("change", renderDrafts);
    });
    $("draft-search").addEventListener("input", renderDrafts);
    loadAll();
  });
})();
