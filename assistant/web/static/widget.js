/*
 * IUC North America assistant: the embeddable chat widget.
 *
 * Embed with one tag:  <script src="https://host/widget.js" data-lang="fr" defer></script>
 * Vanilla JS, no build step, one file (so one tag embeds it, its strings included).
 * API calls go to the origin this script was loaded from. Messages are rendered with
 * textContent plus a tiny safe subset (**bold**, links, "- " lines as a list), so any
 * HTML in a message shows as text. The interface speaks the page's language (data-lang,
 * else <html lang>) and follows it when it changes; the selector overrides it.
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
      switchTo: "Continue in English",
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
      switchTo: "Continuer en français",
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
      switchTo: "Continuar en español",
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

  function known(lang) {
    lang = String(lang || "").slice(0, 2).toLowerCase();
    return LANGS.indexOf(lang) >= 0 ? lang : null;
  }

  // The host page's language: the tag's data-lang, else <html lang>, else the browser's.
  function pageLang() {
    return known(script && script.getAttribute("data-lang")) ||
      known(document.documentElement.lang) || known(navigator.language) || "en";
  }

  // One language state, owned here: it follows the page until the user picks one in
  // the selector, and a page that changes language wins again. What the bot answers
  // in never changes it silently (see offerSwitch).
  var state = load() || { sessionId: null, history: [], open: false };
  var page = pageLang();
  if (!known(state.lang) || !state.picked || state.pageLang !== page) {
    state.lang = page;
    state.picked = false;
  }
  state.pageLang = page;

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

  function renderLine(parent, line) {
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
  }

  // Text nodes, <strong>, http(s) links and lists ("- " lines, e.g. a verdict's
  // reasons) only: nothing in a message becomes markup.
  function renderRich(parent, text) {
    var list = null;
    var needBreak = false;
    String(text).split("\n").forEach(function (line) {
      if (/^\s*[-•] /.test(line)) {
        if (!list) list = parent.appendChild(document.createElement("ul"));
        renderLine(list.appendChild(document.createElement("li")), line.replace(/^\s*[-•] /, ""));
        needBreak = false;
        return;
      }
      list = null;
      if (needBreak) parent.appendChild(document.createElement("br"));
      renderLine(parent, line);
      needBreak = true;
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

  var root = el("div", "iuc-chat");
  var launcher = el("button", "iuc-chat__launcher");
  launcher.type = "button";
  // A speech bubble drawn in SVG (an emoji needs a font the device may not have).
  var SVG = "http://www.w3.org/2000/svg";
  var launcherIcon = document.createElementNS(SVG, "svg");
  launcherIcon.setAttribute("class", "iuc-chat__launcher-icon");
  launcherIcon.setAttribute("viewBox", "0 0 24 24");
  launcherIcon.setAttribute("aria-hidden", "true");
  launcherIcon.setAttribute("focusable", "false");
  var bubblePath = document.createElementNS(SVG, "path");
  bubblePath.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  bubblePath.setAttribute("fill", "currentColor");
  launcherIcon.appendChild(bubblePath);
  var launcherText = el("span", "iuc-chat__launcher-text");
  launcher.append(launcherIcon, launcherText);
  launcher.setAttribute("aria-controls", "iuc-chat-panel");
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "iuc-chat__panel");
  panel.id = "iuc-chat-panel";
  panel.setAttribute("role", "dialog");
  panel.hidden = true;

  var header = el("div", "iuc-chat__header");  // not a second page banner
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
  // Title and close on the first row, the language and "new conversation" below:
  // the title keeps the panel's width instead of wrapping beside the selector.
  var tools = el("div", "iuc-chat__tools");
  tools.append(langLabel, langSelect, clearButton);
  header.append(title, closeButton, tools);

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
    launcherText.textContent = t("launcher");
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

  function replyButton(title, onClick, active) {
    var button = el("button", "iuc-chat__reply", title);
    button.type = "button";
    if (active) button.addEventListener("click", onClick);
    else button.disabled = true;  // a past turn's choice, kept visible
    return button;
  }

  function renderMessage(item, active) {
    var row = el("div", "iuc-chat__msg iuc-chat__msg--" + item.from);
    if (item.lang) row.lang = item.lang;
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
    if (buttons.length) {
      var group = el("div", "iuc-chat__quick");
      buttons.forEach(function (b) {
        group.appendChild(replyButton(b.title, function () {
          send(b.payload || b.title, b.title);
        }, active));
      });
      row.appendChild(group);
    }
    if (item.offer && active && item.offer !== state.lang) {
      // The bot answered in another language: switching the interface is the user's call.
      var offer = el("div", "iuc-chat__quick");
      var lang = item.offer;
      var switchButton = replyButton(STRINGS[lang].switchTo, function () {
        pick(lang);
      }, true);
      switchButton.lang = lang;
      offer.appendChild(switchButton);
      row.appendChild(offer);
    }
    return row;
  }

  function renderLog() {
    log.textContent = "";
    var items = state.history.length
      ? state.history
      : [{ from: "bot", text: t("welcome"), welcome: true }];
    // Every message of the latest turn (after the user's last message) keeps its
    // buttons live: a choice may come before the question that follows it.
    var lastUser = -1;
    items.forEach(function (item, i) {
      if (item.from === "user") lastUser = i;
    });
    items.forEach(function (item, i) {
      log.appendChild(renderMessage(item, i > lastUser && !busy));
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
  // An API that does not know page_language yet refuses it (422): then it is left out.
  var noPageLanguage = false;

  function post(body) {
    var request = function (payload) {
      return fetch(ORIGIN + "/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
    };
    return request(body).then(function (response) {
      if (response.status !== 422 || !("page_language" in body)) return response;
      return response.clone().json().then(function (error) {
        if (JSON.stringify(error).indexOf("page_language") < 0) return response;
        noPageLanguage = true;
        var retry = Object.assign({}, body);
        delete retry.page_language;
        return request(retry);
      }, function () { return response; });
    });
  }

  function pick(lang) {
    state.lang = lang;
    state.picked = true;
    state.sendPick = true;
    save();
    applyStrings();
  }

  // The host page switched language (a single-page site, or a language menu that
  // rewrites <html lang>): the widget follows, whatever was picked before.
  function followPage(mutations) {
    var changed = mutations && mutations[0] && mutations[0].attributeName;
    var now = (changed === "lang" && known(document.documentElement.lang)) || pageLang();
    if (now === state.pageLang) return;
    state.pageLang = now;
    if (state.lang !== now) {
      state.lang = now;
      state.sendPick = false;
    }
    state.picked = false;
    save();
    applyStrings();
  }

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
    // The page's language goes with every turn; `language` only with the first turn
    // after the user picked one in the selector (the server decides the rest).
    var body = { message: message, session_id: state.sessionId };
    if (!noPageLanguage) body.page_language = state.pageLang;
    if (state.sendPick) body.language = state.lang;
    post(body)
      .then(function (response) {
        if (response.status === 429) throw new Error("busy");
        if (response.status === 422) throw new Error("tooLong");
        if (!response.ok) throw new Error("offline");
        return response.json();
      })
      .then(function (data) {
        state.sessionId = data.session_id;
        state.sendPick = false;
        var messages = data.messages || [];
        var answered = known(data.language);
        messages.forEach(function (m, i) {
          state.history.push({
            from: "bot",
            text: m.text,
            buttons: m.buttons || [],
            sources: m.sources || [],
            lang: answered,
            // Offered once, under the turn's last message.
            offer: i === messages.length - 1 && answered !== state.lang ? answered : null,
          });
        });
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
    save();
    renderLog();
    input.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false, true);
  });
  langSelect.addEventListener("change", function () {
    pick(langSelect.value);
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
    if (window.MutationObserver) {
      var observer = new MutationObserver(followPage);
      observer.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
      if (script) observer.observe(script, { attributes: true, attributeFilter: ["data-lang"] });
    }
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
