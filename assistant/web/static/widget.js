/*
 * IUC North America assistant: the embeddable chat widget.
 *
 * Embed with one tag:  <script src="https://host/widget.js" data-lang="fr" defer></script>
 * Vanilla JS, no build step. API calls go to the origin this script was loaded from.
 * Messages are rendered with textContent plus a tiny safe subset (**bold**, links), so
 * any HTML in a message shows as text.
 */
(function () {
  "use strict";
  if (window.__iucChatLoaded) return;
  window.__iucChatLoaded = true;

  var script =
    document.currentScript ||
    document.querySelector('script[src*="widget.js"]');
  var ORIGIN = new URL(script && script.src ? script.src : "/", location.href).origin;
  var STORE_KEY = "iuc-chat:v1";
  var MAX_CHARS = 2000;
  var LANGS = ["en", "fr", "es"];

  var STRINGS = {
    en: {
      launcher: "Questions about the IUC call?",
      title: "IUC North America assistant",
      close: "Close the chat",
      language: "Language",
      placeholder: "Type your question…",
      send: "Send",
      typing: "The assistant is typing…",
      sources: "Sources",
      welcome:
        "Hello! I answer questions about the IUC North America city-to-city call, check whether your city fits it, and help you start a draft application.",
      offline:
        "I cannot reach the assistant right now. Check your connection and try again in a moment.",
      busy: "Too many messages at once: please wait a moment and try again.",
      tooLong: "Your message is too long (2,000 characters at most).",
      clear: "New conversation",
      log: "Conversation",
      you: "You",
      bot: "Assistant",
      quick: ["When is the deadline?", "Is my city eligible?", "What does a city commit to?"],
    },
    fr: {
      launcher: "Des questions sur l'appel IUC ?",
      title: "Assistant IUC Amérique du Nord",
      close: "Fermer la discussion",
      language: "Langue",
      placeholder: "Écrivez votre question…",
      send: "Envoyer",
      typing: "L'assistant écrit…",
      sources: "Sources",
      welcome:
        "Bonjour ! Je réponds aux questions sur l'appel de coopération de ville à ville IUC Amérique du Nord, je vérifie si votre ville y correspond et je vous aide à commencer un brouillon de candidature.",
      offline:
        "Impossible de joindre l'assistant pour le moment. Vérifiez votre connexion et réessayez dans un instant.",
      busy: "Trop de messages à la fois : patientez un instant puis réessayez.",
      tooLong: "Votre message est trop long (2 000 caractères au maximum).",
      clear: "Nouvelle conversation",
      log: "Conversation",
      you: "Vous",
      bot: "Assistant",
      quick: [
        "Quelle est la date limite ?",
        "Ma ville est-elle admissible ?",
        "À quoi une ville s'engage-t-elle ?",
      ],
    },
    es: {
      launcher: "¿Preguntas sobre la convocatoria IUC?",
      title: "Asistente IUC Norteamérica",
      close: "Cerrar el chat",
      language: "Idioma",
      placeholder: "Escriba su pregunta…",
      send: "Enviar",
      typing: "El asistente está escribiendo…",
      sources: "Fuentes",
      welcome:
        "¡Hola! Respondo preguntas sobre la convocatoria de cooperación entre ciudades IUC Norteamérica, compruebo si su ciudad encaja y le ayudo a empezar un borrador de solicitud.",
      offline:
        "No puedo contactar con el asistente en este momento. Compruebe su conexión y vuelva a intentarlo en un momento.",
      busy: "Demasiados mensajes a la vez: espere un momento y vuelva a intentarlo.",
      tooLong: "Su mensaje es demasiado largo (2000 caracteres como máximo).",
      clear: "Nueva conversación",
      log: "Conversación",
      you: "Usted",
      bot: "Asistente",
      quick: [
        "¿Cuál es la fecha límite?",
        "¿Mi ciudad es elegible?",
        "¿A qué se compromete una ciudad?",
      ],
    },
  };

  // --- state (kept across reloads) -------------------------------------------------

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.history)) return saved;
    } catch (e) {
      /* storage disabled or corrupted: start afresh */
    }
    return null;
  }

  function pageLang() {
    var wanted = (script && script.getAttribute("data-lang")) ||
      document.documentElement.lang || navigator.language || "en";
    wanted = String(wanted).slice(0, 2).toLowerCase();
    return LANGS.indexOf(wanted) >= 0 ? wanted : "en";
  }

  var state = load() || {
    sessionId: null,
    lang: pageLang(),
    history: [],
    open: false,
    sendLang: true,
  };
  if (LANGS.indexOf(state.lang) < 0) state.lang = "en";

  function save() {
    try {
      state.history = state.history.slice(-100);
      localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) {
      /* private mode: the conversation just does not survive a reload */
    }
  }

  function t(key) {
    return (STRINGS[state.lang] || STRINGS.en)[key];
  }

  // --- safe rendering --------------------------------------------------------------

  var INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/g;

  function link(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // Text nodes, <strong> and http(s) links only: nothing in a message becomes markup.
  function renderRich(parent, text) {
    String(text).split("\n").forEach(function (line, i) {
      if (i > 0) parent.appendChild(document.createElement("br"));
      var last = 0;
      var match;
      INLINE.lastIndex = 0;
      while ((match = INLINE.exec(line))) {
        if (match.index > last) {
          parent.appendChild(document.createTextNode(line.slice(last, match.index)));
        }
        if (match[1]) {
          var strong = document.createElement("strong");
          strong.textContent = match[1];
          parent.appendChild(strong);
        } else if (match[2]) {
          parent.appendChild(link(match[3], match[2]));
        } else {
          parent.appendChild(link(match[4], match[4]));
        }
        last = INLINE.lastIndex;
      }
      if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- DOM -------------------------------------------------------------------------

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = ORIGIN + "/widget.css";
  document.head.appendChild(css);

  // Feedback under answers, the hand-off form and the privacy note (feedback.js).
  var extras = document.createElement("script");
  extras.src = ORIGIN + "/static/feedback.js";
  extras.onload = function () {
    renderLog();
  };
  document.head.appendChild(extras);

  var root = el("div", "iuc-chat");
  var launcher = el("button", "iuc-chat__launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-controls", "iuc-chat-panel");
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "iuc-chat__panel");
  panel.id = "iuc-chat-panel";
  panel.setAttribute("role", "dialog");
  panel.hidden = true;

  var header = el("header", "iuc-chat__header");
  var title = el("h2", "iuc-chat__title");
  title.id = "iuc-chat-title";
  panel.setAttribute("aria-labelledby", title.id);
  var langLabel = el("label", "iuc-chat__sr");
  langLabel.htmlFor = "iuc-chat-lang";
  var langSelect = el("select", "iuc-chat__lang");
  langSelect.id = "iuc-chat-lang";
  [["en", "English"], ["fr", "Français"], ["es", "Español"]].forEach(function (pair) {
    var option = el("option", null, pair[1]);
    option.value = pair[0];
    option.lang = pair[0];
    langSelect.appendChild(option);
  });
  var clearButton = el("button", "iuc-chat__icon iuc-chat__clear", "↺");
  clearButton.type = "button";
  var closeButton = el("button", "iuc-chat__icon iuc-chat__close", "×");
  closeButton.type = "button";
  header.append(title, langLabel, langSelect, clearButton, closeButton);

  var log = el("div", "iuc-chat__log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.tabIndex = 0;

  var typing = el("div", "iuc-chat__typing");
  typing.setAttribute("role", "status");
  typing.hidden = true;

  var form = el("form", "iuc-chat__form");
  var input = el("textarea", "iuc-chat__input");
  input.id = "iuc-chat-input";
  input.rows = 1;
  input.maxLength = MAX_CHARS;
  var inputLabel = el("label", "iuc-chat__sr");
  inputLabel.htmlFor = input.id;
  var sendButton = el("button", "iuc-chat__send");
  sendButton.type = "submit";
  form.append(inputLabel, input, sendButton);

  panel.append(header, log, typing, form);
  root.append(panel, launcher);

  function applyStrings() {
    root.lang = state.lang;
    launcher.textContent = t("launcher");
    title.textContent = t("title");
    langLabel.textContent = t("language");
    langSelect.value = state.lang;
    clearButton.setAttribute("aria-label", t("clear"));
    clearButton.title = t("clear");
    closeButton.setAttribute("aria-label", t("close"));
    closeButton.title = t("close");
    log.setAttribute("aria-label", t("log"));
    typing.textContent = t("typing");
    input.placeholder = t("placeholder");
    inputLabel.textContent = t("placeholder");
    sendButton.textContent = t("send");
    renderLog();
  }

  function renderMessage(item, isLast) {
    var row = el("div", "iuc-chat__msg iuc-chat__msg--" + item.from);
    var who = el("span", "iuc-chat__sr", (item.from === "user" ? t("you") : t("bot")) + ": ");
    var bubble = el("div", "iuc-chat__bubble");
    bubble.appendChild(who);
    renderRich(bubble, item.text || "");
    row.appendChild(bubble);
    if (item.sources && item.sources.length) {
      var sources = el("div", "iuc-chat__sources");
      sources.appendChild(el("span", "iuc-chat__sources-label", t("sources") + ": "));
      item.sources.forEach(function (source, i) {
        if (i > 0) sources.appendChild(document.createTextNode(" · "));
        if (source.url && /^https?:\/\//.test(source.url)) {
          sources.appendChild(link(source.url, source.title || source.id));
        } else {
          sources.appendChild(document.createTextNode(source.title || source.id));
        }
      });
      row.appendChild(sources);
    }
    var buttons = item.buttons || [];
    if (isLast && buttons.length) {
      var group = el("div", "iuc-chat__quick");
      buttons.forEach(function (b) {
        var button = el("button", "iuc-chat__reply", b.title);
        button.type = "button";
        button.addEventListener("click", function () {
          send(b.payload || b.title, b.title);
        });
        group.appendChild(button);
      });
      row.appendChild(group);
    }
    if (window.IUCChatExtras) {
      window.IUCChatExtras.decorate(row, item, {
        lang: state.lang,
        origin: ORIGIN,
        sessionId: state.sessionId,
      });
    }
    return row;
  }

  function renderLog() {
    log.textContent = "";
    var items = state.history.length
      ? state.history
      : [{ from: "bot", text: t("welcome"), welcome: true }];
    var lastBot = -1;
    items.forEach(function (item, i) {
      if (item.from === "bot") lastBot = i;
    });
    items.forEach(function (item, i) {
      log.appendChild(renderMessage(item, i === lastBot && i === items.length - 1));
    });
    if (!state.history.length) {
      var group = el("div", "iuc-chat__quick");
      t("quick").forEach(function (q) {
        var button = el("button", "iuc-chat__reply", q);
        button.type = "button";
        button.addEventListener("click", function () {
          send(q, q);
        });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    log.scrollTop = log.scrollHeight;
  }

  function setOpen(open, focus) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    root.classList.toggle("iuc-chat--open", open);
    save();
    if (open) {
      log.scrollTop = log.scrollHeight;
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  // --- talking to the API ----------------------------------------------------------

  var busy = false;

  function notice(key) {
    state.history.push({ from: "bot", text: t(key), system: true });
    save();
    renderLog();
  }

  function send(message, shown) {
    message = String(message || "").trim();
    if (!message || busy) return;
    if (message.length > MAX_CHARS) {
      notice("tooLong");
      return;
    }
    busy = true;
    state.history.push({ from: "user", text: shown || message });
    save();
    renderLog();
    typing.hidden = false;
    var body = { message: message, session_id: state.sessionId };
    // The language goes with the first turn and after a switch in the selector; in
    // between, the conversation's own language (it may be switched by a message) rules.
    body.language = state.sendLang ? state.lang : null;
    fetch(ORIGIN + "/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        if (response.status === 429) throw new Error("busy");
        if (response.status === 422) throw new Error("tooLong");
        if (!response.ok) throw new Error("offline");
        return response.json();
      })
      .then(function (data) {
        state.sessionId = data.session_id;
        state.sendLang = false;
        var replies = data.messages || [];
        replies.forEach(function (m, i) {
          state.history.push({
            from: "bot",
            text: m.text,
            buttons: m.buttons || [],
            sources: m.sources || [],
            // The turn's last message carries what feedback.js needs.
            turn:
              i === replies.length - 1
                ? {
                    id: data.turn_id,
                    fallback: !!data.fallback,
                    handoff: !!data.handoff,
                    // An answer from the knowledge base comes with its source.
                    answer: replies.some(function (r) {
                      return r.sources && r.sources.length;
                    }),
                  }
                : null,
          });
        });
        if (data.language && LANGS.indexOf(data.language) >= 0 && data.language !== state.lang) {
          state.lang = data.language;
          save();
          applyStrings();
        }
      })
      .catch(function (error) {
        var key = error && STRINGS.en[error.message] ? error.message : "offline";
        state.history.push({ from: "bot", text: t(key), system: true });
      })
      .then(function () {
        busy = false;
        typing.hidden = true;
        save();
        renderLog();
      });
  }

  // --- events ----------------------------------------------------------------------

  launcher.addEventListener("click", function () {
    setOpen(!state.open, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });
  clearButton.addEventListener("click", function () {
    state.history = [];
    state.sessionId = null;
    state.sendLang = true;
    save();
    renderLog();
    input.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false, true);
  });
  langSelect.addEventListener("change", function () {
    state.lang = langSelect.value;
    state.sendLang = true;
    save();
    applyStrings();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  function mount() {
    document.body.appendChild(root);
    applyStrings();
    setOpen(!!state.open, false);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
