/* Interface text of the pages (the widget keeps its own dictionary in widget.js). */
window.IUC_PAGES = (function () {
  "use strict";
  var LANGS = ["en", "fr", "es"];
  var T = {
    en: {
      home: "Programme", eligibility: "Eligibility self-check", loading: "Loading…",
      failed: "The page could not load its data. Please try again later.",
      deadline: "Deadline", countries: "Who can apply", threshold: "Cities encouraged",
      thresholdText: "more than {n} inhabitants", commitment: "Commitment",
      commitmentText: "up to {n} months", deliverables: "What cities produce",
      themes: "Themes", activities: "Activities", benefits: "Being part of IUC means your city will",
      agendas: "International agendas", documents: "Application documents",
      contact: "Contact", source: "Source", askWidget: "Questions? Use the chat button at the bottom right.",
      checkCta: "Check whether your city fits the call",
      eligTitle: "Is my city a fit for the IUC North America call?",
      eligIntro: "Answer a few questions. This self-check gives an indication, not a decision.",
      city: "City", country: "Country", region: "State or province (optional)",
      population: "Population (optional)", populationHint: "Leave empty to use our offline city list.",
      group: "We apply as a group of municipalities", check: "Check",
      verdict_encouraged: "Your city is encouraged to apply",
      verdict_below_threshold: "Your city is below the population the call encourages",
      verdict_wrong_region: "Another IUC call fits your city",
      verdict_need_more_info: "We need a little more information",
      candidates: "Which one is yours?", startDraft: "Start a draft application",
      draftTitle: "Draft application", draftIntro: "Changes are saved automatically. Keep your private link: it is the only way back to this draft.",
      draftMissing: "This draft link is invalid or incomplete. Open the full link you were given.",
      contactName: "Contact name", contactEmail: "Contact e-mail", role: "Role",
      themesField: "Themes", themesHint: "One per line.", motivation: "Motivation",
      language: "Language", saving: "Saving…", saved: "All changes saved.",
      notSaved: "Not saved: ", print: "Print", downloadJson: "Download (JSON)",
      downloadText: "Download (text)", yes: "yes", no: "no", error: "Something went wrong: ",
      titleDraft: "Draft application – IUC North America", titleEligibility: "Eligibility self-check – IUC North America",
      themesPick: "Tick the themes your city wants to work on.", ownTheme: "Another theme of your own (optional)",
      errRequired: "Please fill in this field.", errText: "Please write it with letters.",
      errCountry: "We do not recognise this country: write its name, e.g. Canada.",
      errEmail: "This is not an e-mail address (for example name@city.org).",
      errShort: "Please write at least {n} characters.", errLong: "Please keep it under {n} characters.",
      errNumber: "Please enter a whole number from 0 to 100,000,000.",
      errInvalid: "This value cannot be saved.", errOffline: "Not saved: the server cannot be reached. Your changes will be saved at the next edit.",
      errTooMany: "Please choose at most {n}.",
    },
    fr: {
      home: "Programme", eligibility: "Autotest d'admissibilité", loading: "Chargement…",
      failed: "La page n'a pas pu charger ses données. Veuillez réessayer plus tard.",
      deadline: "Date limite", countries: "Qui peut postuler", threshold: "Villes encouragées",
      thresholdText: "plus de {n} habitants", commitment: "Engagement",
      commitmentText: "jusqu'à {n} mois", deliverables: "Ce que produisent les villes",
      themes: "Thèmes", activities: "Activités", benefits: "Participer à l'IUC signifie que votre ville pourra",
      agendas: "Programmes internationaux", documents: "Documents de candidature",
      contact: "Contact", source: "Source", askWidget: "Des questions ? Utilisez le bouton de discussion en bas à droite.",
      checkCta: "Vérifier si votre ville correspond à l'appel",
      eligTitle: "Ma ville correspond-elle à l'appel IUC Amérique du Nord ?",
      eligIntro: "Répondez à quelques questions. Cet autotest donne une indication, pas une décision.",
      city: "Ville", country: "Pays", region: "État ou province (facultatif)",
      population: "Population (facultatif)", populationHint: "Laissez vide pour utiliser notre liste de villes hors ligne.",
      group: "Nous postulons en groupe de municipalités", check: "Vérifier",
      verdict_encouraged: "Votre ville est encouragée à postuler",
      verdict_below_threshold: "Votre ville est sous la population que l'appel encourage",
      verdict_wrong_region: "Un autre appel IUC correspond à votre ville",
      verdict_need_more_info: "Il nous faut un peu plus d'informations",
      candidates: "Laquelle est la vôtre ?", startDraft: "Commencer un brouillon de candidature",
      draftTitle: "Brouillon de candidature", draftIntro: "Les modifications sont enregistrées automatiquement. Gardez votre lien privé : c'est le seul moyen de revenir à ce brouillon.",
      draftMissing: "Ce lien de brouillon est invalide ou incomplet. Ouvrez le lien complet qui vous a été donné.",
      contactName: "Nom du contact", contactEmail: "Courriel du contact", role: "Fonction",
      themesField: "Thèmes", themesHint: "Un par ligne.", motivation: "Motivation",
      language: "Langue", saving: "Enregistrement…", saved: "Toutes les modifications sont enregistrées.",
      notSaved: "Non enregistré : ", print: "Imprimer", downloadJson: "Télécharger (JSON)",
      downloadText: "Télécharger (texte)", yes: "oui", no: "non", error: "Une erreur s'est produite : ",
      titleDraft: "Brouillon de candidature – IUC Amérique du Nord", titleEligibility: "Autotest d'admissibilité – IUC Amérique du Nord",
      themesPick: "Cochez les thèmes sur lesquels votre ville veut travailler.", ownTheme: "Un autre thème, le vôtre (facultatif)",
      errRequired: "Veuillez remplir ce champ.", errText: "Veuillez l'écrire avec des lettres.",
      errCountry: "Nous ne reconnaissons pas ce pays : écrivez son nom, par exemple Canada.",
      errEmail: "Ce n'est pas une adresse de courriel (par exemple nom@ville.org).",
      errShort: "Veuillez écrire au moins {n} caractères.", errLong: "Veuillez ne pas dépasser {n} caractères.",
      errNumber: "Veuillez saisir un nombre entier de 0 à 100 000 000.",
      errInvalid: "Cette valeur ne peut pas être enregistrée.", errOffline: "Non enregistré : le serveur est injoignable. Vos modifications seront enregistrées à la prochaine saisie.",
      errTooMany: "Veuillez en choisir {n} au plus.",
    },
    es: {
      home: "Programa", eligibility: "Autoevaluación de elegibilidad", loading: "Cargando…",
      failed: "La página no pudo cargar sus datos. Vuelva a intentarlo más tarde.",
      deadline: "Fecha límite", countries: "Quién puede postularse", threshold: "Ciudades alentadas",
      thresholdText: "más de {n} habitantes", commitment: "Compromiso",
      commitmentText: "hasta {n} meses", deliverables: "Qué elaboran las ciudades",
      themes: "Temas", activities: "Actividades", benefits: "Participar en IUC significa que su ciudad podrá",
      agendas: "Agendas internacionales", documents: "Documentos de solicitud",
      contact: "Contacto", source: "Fuente", askWidget: "¿Preguntas? Use el botón de chat abajo a la derecha.",
      checkCta: "Compruebe si su ciudad encaja en la convocatoria",
      eligTitle: "¿Encaja mi ciudad en la convocatoria IUC Norteamérica?",
      eligIntro: "Responda algunas preguntas. Esta autoevaluación da una indicación, no una decisión.",
      city: "Ciudad", country: "País", region: "Estado o provincia (opcional)",
      population: "Población (opcional)", populationHint: "Déjelo vacío para usar nuestra lista de ciudades sin conexión.",
      group: "Nos postulamos como grupo de municipios", check: "Comprobar",
      verdict_encouraged: "Se alienta a su ciudad a postularse",
      verdict_below_threshold: "Su ciudad está por debajo de la población que alienta la convocatoria",
      verdict_wrong_region: "Otra convocatoria IUC corresponde a su ciudad",
      verdict_need_more_info: "Necesitamos un poco más de información",
      candidates: "¿Cuál es la suya?", startDraft: "Empezar un borrador de solicitud",
      draftTitle: "Borrador de solicitud", draftIntro: "Los cambios se guardan automáticamente. Conserve su enlace privado: es la única forma de volver a este borrador.",
      draftMissing: "Este enlace de borrador no es válido o está incompleto. Abra el enlace completo que recibió.",
      contactName: "Nombre de contacto", contactEmail: "Correo de contacto", role: "Cargo",
      themesField: "Temas", themesHint: "Uno por línea.", motivation: "Motivación",
      language: "Idioma", saving: "Guardando…", saved: "Todos los cambios guardados.",
      notSaved: "No guardado: ", print: "Imprimir", downloadJson: "Descargar (JSON)",
      downloadText: "Descargar (texto)", yes: "sí", no: "no", error: "Algo salió mal: ",
      titleDraft: "Borrador de solicitud – IUC Norteamérica", titleEligibility: "Autoevaluación de elegibilidad – IUC Norteamérica",
      themesPick: "Marque los temas en los que su ciudad quiere trabajar.", ownTheme: "Otro tema propio (opcional)",
      errRequired: "Complete este campo.", errText: "Escríbalo con letras.",
      errCountry: "No reconocemos este país: escriba su nombre, por ejemplo Canadá.",
      errEmail: "Esta no es una dirección de correo (por ejemplo nombre@ciudad.org).",
      errShort: "Escriba al menos {n} caracteres.", errLong: "No supere los {n} caracteres.",
      errNumber: "Escriba un número entero de 0 a 100.000.000.",
      errInvalid: "Este valor no se puede guardar.", errOffline: "No guardado: no se puede contactar con el servidor. Sus cambios se guardarán en la próxima edición.",
      errTooMany: "Elija {n} como máximo.",
    },
  };

  function detectLang() {
    var fromPath = location.pathname.split("/")[1];
    var fromQuery = new URLSearchParams(location.search).get("lang");
    var stored = null;
    try { stored = localStorage.getItem("iuc-pages:lang"); } catch (e) { /* ignore */ }
    var lang = [fromQuery, fromPath, stored].filter(function (l) {
      return LANGS.indexOf(l) >= 0;
    })[0] || "en";
    try { localStorage.setItem("iuc-pages:lang", lang); } catch (e) { /* ignore */ }
    return lang;
  }

  var lang = detectLang();
  document.documentElement.lang = lang;
  var NUMBER_LOCALES = { en: "en", fr: "fr", es: "es-MX" };

  function t(key, values) {
    var text = (T[lang] && T[lang][key]) || T.en[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  // Fill every element carrying data-i18n with its text in the page language, and the
  // tab's title from <html data-i18n-title>.
  function translate(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    var titleKey = document.documentElement.getAttribute("data-i18n-title");
    if (titleKey) document.title = t(titleKey);
    document.querySelectorAll("[data-lang-link]").forEach(function (a) {
      var target = a.getAttribute("data-lang-link");
      var url = new URL(location.href);
      url.searchParams.set("lang", target);
      if (/^\/(en|fr|es)?$/.test(location.pathname)) { url.pathname = "/" + target; url.searchParams.delete("lang"); }
      a.href = url.pathname + url.search + url.hash;
      if (target === lang) a.setAttribute("aria-current", "true");
    });
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // A page whose content has a language of its own (a draft) shows in it.
  function setLang(wanted) {
    if (LANGS.indexOf(wanted) < 0 || wanted === lang) return;
    lang = wanted;
    api.lang = wanted;
    document.documentElement.lang = wanted;
    translate();
  }

  function number(n) {
    return new Intl.NumberFormat(NUMBER_LOCALES[lang]).format(n);
  }

  // An API validation error (pydantic's type and context) in the page language.
  function errorText(error) {
    var ctx = (error && error.ctx) || {};
    switch (error && error.type) {
      case "missing": case "string_type": case "string_too_short": return t("errRequired");
      case "text": return t("errText");
      case "country": return t("errCountry");
      case "email": return t("errEmail");
      case "motivation_too_short": return t("errShort", { n: number(ctx.min_length || 10) });
      case "string_too_long": return t("errLong", { n: number(ctx.max_length || 200) });
      case "too_long": return t("errTooMany", { n: number(ctx.max_length || 20) });
      case "int_parsing": case "int_type": case "int_from_float":
      case "greater_than_equal": case "less_than_equal": return t("errNumber");
      default: return t("errInvalid");
    }
  }

  // Errors next to their field: a <p id="err-NAME"> the field points to with
  // aria-describedby, in a live region so a screen reader announces it.
  function fieldError(form, name, message) {
    var box = document.getElementById("err-" + name);
    var field = form.elements[name];
    if (!box) return false;
    box.textContent = message || "";
    var inputs = field && field.length !== undefined && !field.tagName ? Array.prototype.slice.call(field) : [field];
    inputs.forEach(function (input) {
      if (!input || !input.setAttribute) return;
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
    return true;
  }

  function clearErrors(form) {
    form.querySelectorAll("[id^=err-]").forEach(function (box) {
      fieldError(form, box.id.slice(4), "");
    });
  }

  // Shows each error of a 422 body next to its field; true if all found a field.
  function showErrors(form, body) {
    var errors = (body && body.errors) || [];
    var placed = errors.length > 0;
    errors.forEach(function (error) {
      var loc = (error.loc || []).filter(function (p) { return p !== "body"; });
      if (!fieldError(form, String(loc[0]), errorText(error))) placed = false;
    });
    var first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
    return placed;
  }

  document.addEventListener("DOMContentLoaded", function () { translate(); });
  var api = {
    lang: lang, t: t, translate: translate, el: el, LANGS: LANGS, setLang: setLang,
    number: number, errorText: errorText, fieldError: fieldError,
    clearErrors: clearErrors, showErrors: showErrors,
  };
  return api;
})();
