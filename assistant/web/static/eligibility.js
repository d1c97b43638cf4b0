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

  function failure(response, body) {
    var e = new Error(t("failed"));
    e.status = response.status;
    e.body = body;
    return e;
  }

  // Checked here first so the reason shows beside the field at once, in the page's
  // language; the API checks again (its 422 lands beside the field too).
  function check(form) {
    var ok = true;
    if (!form.city.value.trim()) { P.fieldError(form, "city", t("errRequired")); ok = false; }
    var population = form.population.value.trim();
    var n = Number(population);
    if (form.population.validity.badInput ||
        (population !== "" && (!Number.isInteger(n) || n < 0 || n > 100000000))) {
      P.fieldError(form, "population", t("errNumber"));
      ok = false;
    }
    if (!ok) form.querySelector("[aria-invalid=true]").focus();
    return ok;
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
    // Whether the call is open, and what the verdict means once it has closed.
    if (data.call && data.call.sentence) {
      var notice = el("p", data.call.sentence, "call-status");
      notice.setAttribute("data-open", String(data.call.open));
      box.appendChild(notice);
    }
    if (data.verdict === "need_more_info" && data.candidates.length > 1) {
      box.appendChild(el("h3", t("candidates")));
      var list = el("div", null, "actions");
      data.candidates.forEach(function (c) {
        var b = el("button", [c.name, c.region_name || c.region, c.country_name].filter(Boolean).join(", "), "secondary");
        b.type = "button";
        b.addEventListener("click", function () {
          form.region.value = c.region || "";
          form.country.value = c.country_name || c.country || "";
          form.region.value = c.region_name || c.region || "";
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
      // The draft stores the ISO code, as the chat does; the page shows its name.
      country: city.country || last.country || "",
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
      return r.json().then(function (b) { if (!r.ok) throw failure(r, b); return b; });
    }).then(function (created) {
      location.assign(created.resume_url);
    }).catch(function (e) {
      var form = document.getElementById("eligibility-form");
      if (!(e.status === 422 && P.showErrors(form, e.body))) {
        document.getElementById("form-error").textContent = t("failed");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("eligibility-form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("form-error");
      error.textContent = "";
      P.clearErrors(form);
      if (!check(form)) return;
      last = values(form);
      fetch("/api/eligibility", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(last),
      }).then(function (r) {
        return r.json().then(function (b) { if (!r.ok) throw failure(r, b); return b; });
      }).then(function (data) { showResult(data, form); })
        .catch(function (e) {
          if (!(e.status === 422 && P.showErrors(form, e.body))) error.textContent = t("failed");
        });
    });
  });
})();
