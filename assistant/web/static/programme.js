/* The programme page: the call facts from /api/programme in the page language. */
(function () {
  "use strict";
  var P = window.IUC_PAGES, t = P.t, el = P.el;

  function section(main, titleKey, items) {
    if (!items || !items.length) return;
    main.appendChild(el("h2", t(titleKey)));
    var list = el("ul");
    items.forEach(function (item) { list.appendChild(item instanceof Node ? item : el("li", item)); });
    main.appendChild(list);
  }

  function fact(label, value) {
    var li = el("li");
    li.appendChild(el("strong", label));
    li.appendChild(document.createTextNode(value));
    return li;
  }

  function linkTo(url, label) {
    var a = el("a", label || url);
    a.href = url;
    a.rel = "noopener";
    return a;
  }

  // The contact sentence with its web address and e-mail as links (text nodes only).
  function contactParagraph(contact) {
    var p = el("p");
    var sentence = contact.sentence || "";
    var targets = [];
    if (contact.url) targets.push({ text: contact.url, href: contact.url });
    if (contact.email) targets.push({ text: contact.email, href: "mailto:" + contact.email });
    var rest = sentence;
    targets.slice().sort(function (a, b) {
      return sentence.indexOf(a.text) - sentence.indexOf(b.text);
    }).forEach(function (target) {
      var at = rest.indexOf(target.text);
      if (at < 0) return;
      p.appendChild(document.createTextNode(rest.slice(0, at)));
      p.appendChild(linkTo(target.href, target.text));
      rest = rest.slice(at + target.text.length);
    });
    p.appendChild(document.createTextNode(rest));
    var missing = targets.filter(function (x) { return sentence.indexOf(x.text) < 0; });
    missing.forEach(function (target) {
      p.appendChild(document.createTextNode(" "));
      p.appendChild(linkTo(target.href, target.text));
    });
    return p;
  }

  function render(data) {
    var main = document.getElementById("programme");
    main.textContent = "";
    document.title = data.name;
    main.appendChild(el("h1", data.name));
    main.appendChild(el("p", data.call));
    main.appendChild(el("p", data.deadline_status, "status"));

    // The page's main action first, where a phone shows it beside the chat button.
    var cta = el("p");
    var check = linkTo("/eligibility?lang=" + data.language, t("checkCta"));
    check.className = "button";
    cta.appendChild(check);
    main.appendChild(cta);

    var facts = el("ul", null, "facts");
    var number = new Intl.NumberFormat(data.language === "es" ? "es-MX" : data.language);
    facts.appendChild(fact(t("deadline"), data.deadline_text));
    facts.appendChild(fact(t("countries"), data.countries.map(function (c) { return c.name; }).join(", ")));
    facts.appendChild(fact(t("threshold"), t("thresholdText", { n: number.format(data.population_threshold) })));
    facts.appendChild(fact(t("commitment"), t("commitmentText", { n: data.commitment_months })));
    main.appendChild(facts);


    section(main, "deliverables", data.deliverables);
    section(main, "themes", data.themes);
    section(main, "activities", data.activities);
    section(main, "benefits", data.benefits.map(function (b) {
      var li = el("li");
      li.appendChild(el("strong", b.label + " – "));
      li.appendChild(document.createTextNode(b.text || ""));
      return li;
    }));
    section(main, "agendas", data.agendas);
    section(main, "documents", data.documents.filter(function (d) { return d.where; }).map(function (d) {
      var li = el("li", d.where + " ");
      if (d.url) li.appendChild(linkTo(d.url));
      if (d.url_es) { li.appendChild(document.createTextNode(" · ")); li.appendChild(linkTo(d.url_es)); }
      return li;
    }));
    main.appendChild(el("h2", t("contact")));
    main.appendChild(contactParagraph(data.contact));
    var source = el("p", t("source") + ": ", "source");
    source.appendChild(linkTo(data.source.url, data.source.title));
    main.appendChild(source);
    main.appendChild(el("p", t("askWidget")));
    main.setAttribute("aria-busy", "false");
  }

  document.addEventListener("DOMContentLoaded", function () {
    fetch("/api/programme?lang=" + P.lang)
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () {
        var main = document.getElementById("programme");
        main.textContent = "";
        main.appendChild(el("p", t("failed"), "error"));
      });
  });
})();
