/* The eligibility self-check page: a plain form over POST /api/eligibility. */
(function () {
  "use strict";
  var P = window.IUC_PAGES, t = P.t, el = P.el;
  var last = null;

  function values(form) {
    var population = form.population.value.trim();
    return {
      city: form.city.value,
      country: form.country.value.trim() || null,
      region: form.region.value.trim() || null,
      population: population === "" ? null : Number(population),
      group_of_municipalities: form.group_of_municipalities.checked,
      language: P.lang,
    };
  }

  function errorText(response, body) {
    return t("error") + ((body && body.detail) || response.status);
  }

  function showResult(data, form) {
    var box = document.getElementById("result");
    box.textContent = "";
    box.hidden = false;
    box.setAttribute("data-verdict", data.verdict);
    box.appendChild(el("h2", t("verdict_" + data.verdict)));
    var reasons = el("ul");
    data.reasons.forEach(function (r) { reasons.appendChild(el("li", r)); });
    box.appendChild(reasons);
    if (data.verdict === "need_more_info" && data.candidates.length > 1) {
      box.appendChild(el("h3", t("candidates")));
      var list = el("div", null, "actions");
      data.candidates.forEach(function (c) {
        var b = el("button", [c.name, c.region, c.country_name].filter(Boolean).join(", "), "secondary");
        b.type = "button";
        b.addEventListener("click", function () {
          form.region.value = c.region || "";
          form.country.value = c.country_name || c.country || "";
          form.requestSubmit();
        });
        list.appendChild(b);
      });
      box.appendChild(list);
    }
    if (data.verdict === "encouraged" || data.verdict === "below_threshold") {
      var start = el("button", t("startDraft"));
      start.type = "button";
      start.id = "start-draft";
      start.addEventListener("click", function () { startDraft(data); });
      box.appendChild(start);
    }
    box.focus && box.setAttribute("tabindex", "-1");
    box.focus();
  }

  function startDraft(data) {
    var city = data.city || {};
    var body = {
      city: city.name || last.city,
      country: city.country_name || last.country || "",
      region: city.region || last.region,
      population: last.population != null ? last.population : city.population,
      group_of_municipalities: last.group_of_municipalities,
      language: P.lang,
    };
    Object.keys(body).forEach(function (k) { if (body[k] === null || body[k] === undefined) delete body[k]; });
    fetch("/api/applications", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw new Error(errorText(r, b)); return b; });
    }).then(function (created) {
      location.assign(created.resume_url);
    }).catch(function (e) {
      document.getElementById("form-error").textContent = e.message;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("eligibility-form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("form-error");
      error.textContent = "";
      if (!form.city.value.trim()) { error.textContent = t("city") + " ?"; form.city.focus(); return; }
      last = values(form);
      fetch("/api/eligibility", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(last),
      }).then(function (r) {
        return r.json().then(function (b) { if (!r.ok) throw new Error(errorText(r, b)); return b; });
      }).then(function (data) { showResult(data, form); })
        .catch(function (e) { error.textContent = e.message || t("failed"); });
    });
  });
})();
