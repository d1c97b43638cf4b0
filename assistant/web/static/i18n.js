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

  function t(key, values) {
    var text = (T[lang] && T[lang][key]) || T.en[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  // Fill every element carrying data-i18n with its text in the page language.
  function translate(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
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

  document.addEventListener("DOMContentLoaded", function () { translate(); });
  return { lang: lang, t: t, translate: translate, el: el, LANGS: LANGS };
})();
