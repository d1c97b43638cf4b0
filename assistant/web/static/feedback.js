/*
 * IUC assistant widget extras: "Helpful / Not helpful" under each answer (with an
 * optional comment), the form to leave a message for the programme team when the
 * visitor asks to talk to a person, and the privacy note under the welcome message.
 *
 * Loaded by widget.js, which calls window.IUCChatExtras.decorate(row, item, context)
 * for every message it renders. Self-contained: its own strings (en/fr/es), its own
 * stylesheet, its own storage key. Everything is plain buttons and form fields, so it
 * works with the keyboard alone.
 */
(function () {
  "use strict";
  if (window.IUCChatExtras) return;

  var STORE_KEY = "iuc-chat-extras:v1";
  var STRINGS = {
    en: {
      question: "Was this helpful?",
      helpful: "Helpful",
      notHelpful: "Not helpful",
      thanks: "Thank you for your feedback.",
      commentLabel: "Tell us more (optional)",
      commentSend: "Send comment",
      failed: "Your feedback could not be saved. Please try again later.",
      handoffTitle: "Leave a message for the IUC North America team",
      email: "Your e-mail address",
      message: "Your message",
      handoffSend: "Send my message",
      handoffDone: "Thank you: your message and this conversation were sent to the team, who will reply by e-mail.",
      badEmail: "Please enter a valid e-mail address.",
      handoffFailed: "Your message could not be sent. Please write to the team directly with the address above.",
      privacy:
        "Privacy: to improve the assistant, we keep your questions, its answers and your feedback for a limited time, without your name, IP address or browser details. A message you leave for the team is kept with your e-mail address until the team has handled it.",
    },
    fr: {
      question: "Cette réponse vous a-t-elle aidé ?",
      helpful: "Utile",
      notHelpful: "Pas utile",
      thanks: "Merci pour votre avis.",
      commentLabel: "Dites-nous en plus (facultatif)",
      commentSend: "Envoyer le commentaire",
      failed: "Votre avis n'a pas pu être enregistré. Veuillez réessayer plus tard.",
      handoffTitle: "Laisser un message à l'équipe IUC Amérique du Nord",
      email: "Votre adresse courriel",
      message: "Votre message",
      handoffSend: "Envoyer mon message",
      handoffDone: "Merci : votre message et cette conversation ont été transmis à l'équipe, qui vous répondra par courriel.",
      badEmail: "Veuillez saisir une adresse courriel valide.",
      handoffFailed: "Votre message n'a pas pu être envoyé. Écrivez directement à l'équipe à l'adresse ci-dessus.",
      privacy:
        "Confidentialité : pour améliorer l'assistant, nous conservons vos questions, ses réponses et vos avis pendant une durée limitée, sans votre nom, votre adresse IP ni les données de votre navigateur. Un message laissé à l'équipe est conservé avec votre adresse courriel jusqu'à son traitement.",
    },
    es: {
      question: "¿Le resultó útil?",
      helpful: "Útil",
      notHelpful: "No útil",
      thanks: "Gracias por su opinión.",
      commentLabel: "Cuéntenos más (opcional)",
      commentSend: "Enviar comentario",
      failed: "No se pudo guardar su opinión. Vuelva a intentarlo más tarde.",
      handoffTitle: "Dejar un mensaje al equipo de IUC Norteamérica",
      email: "Su correo electrónico",
      message: "Su mensaje",
      handoffSend: "Enviar mi mensaje",
      handoffDone: "Gracias: su mensaje y esta conversación se enviaron al equipo, que le responderá por correo electrónico.",
      badEmail: "Introduzca un correo electrónico válido.",
      handoffFailed: "No se pudo enviar su mensaje. Escriba directamente al equipo a la dirección indicada arriba.",
      privacy:
        "Privacidad: para mejorar el asistente, conservamos sus preguntas, las respuestas y sus opiniones durante un tiempo limitado, sin su nombre, dirección IP ni datos de su navegador. Un mensaje que deje al equipo se conserva con su correo electrónico hasta que el equipo lo atienda.",
    },
  };

  var script = document.currentScript;
  var ORIGIN = new URL(script && script.src ? script.src : "/", location.href).origin;
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = ORIGIN + "/static/feedback.css";
  document.head.appendChild(css);

  // Per turn id: {helpful: bool, commented: bool}; per hand-off turn: {sent: true}.
  var saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}") || {};
  } catch (e) {
    saved = {};
  }
  function remember(key, value) {
    saved[key] = value;
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify(saved));
    } catch (e) {
      /* private mode: the choice lasts until the page reloads */
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function post(origin, path, body) {
    return fetch(origin + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  var uid = 0;
  function field(labelText, control) {
    var wrap = el("div", "iuc-extra__field");
    control.id = "iuc-extra-" + ++uid;
    var label = el("label", null, labelText);
    label.htmlFor = control.id;
    wrap.append(label, control);
    return wrap;
  }

  function feedback(turnId, s, origin) {
    var box = el("div", "iuc-extra iuc-extra--feedback");
    var state = saved[turnId];
    var status = el("p", "iuc-extra__status");
    status.setAttribute("role", "status");
    if (state && state.commented) {
      status.textContent = s.thanks;
      box.appendChild(status);
      return box;
    }
    var group = el("div", "iuc-extra__choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", s.question);
    group.appendChild(el("span", "iuc-extra__question", s.question));
    [[true, s.helpful, "👍"], [false, s.notHelpful, "👎"]].forEach(function (choice) {
      var button = el("button", "iuc-extra__choice", choice[2] + " " + choice[1]);
      button.type = "button";
      button.setAttribute("aria-pressed", String(!!state && state.helpful === choice[0]));
      button.addEventListener("click", function () {
        send(choice[0], null, button);
      });
      group.appendChild(button);
    });
    box.append(group, status);

    function send(helpful, comment, focusAfter) {
      var body = { turn_id: turnId, helpful: helpful };
      if (comment) body.comment = comment;
      post(origin, "/api/feedback", body)
        .then(function (response) {
          if (!response.ok) throw new Error("failed");
          remember(turnId, { helpful: helpful, commented: !!comment });
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (b, i) {
            b.setAttribute("aria-pressed", String((i === 0) === helpful));
          });
          status.textContent = s.thanks;
          if (comment) {
            form.remove();
            group.remove();
          } else {
            form.hidden = false;
          }
          if (focusAfter) focusAfter.focus();
        })
        .catch(function () {
          status.textContent = s.failed;
        });
    }

    var form = el("form", "iuc-extra__comment");
    form.hidden = !state;
    var input = el("input");
    input.type = "text";
    input.maxLength = 500;
    var submit = el("button", "iuc-extra__send", s.commentSend);
    submit.type = "submit";
    form.append(field(s.commentLabel, input), submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var current = saved[turnId];
      if (!input.value.trim() || !current) return;
      send(current.helpful, input.value.trim(), null);
    });
    box.appendChild(form);
    return box;
  }

  function handoff(turnId, s, context) {
    var box = el("form", "iuc-extra iuc-extra--handoff");
    var status = el("p", "iuc-extra__status");
    status.setAttribute("role", "status");
    if (saved["handoff:" + turnId]) {
      status.textContent = s.handoffDone;
      box.appendChild(status);
      return box;
    }
    box.appendChild(el("p", "iuc-extra__title", s.handoffTitle));
    var email = el("input");
    email.type = "email";
    email.required = true;
    email.maxLength = 254;
    email.autocomplete = "email";
    var message = el("textarea");
    message.required = true;
    message.maxLength = 2000;
    message.rows = 3;
    var submit = el("button", "iuc-extra__send", s.handoffSend);
    submit.type = "submit";
    box.append(field(s.email, email), field(s.message, message), submit, status);
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!email.value.trim() || !message.value.trim()) return;
      submit.disabled = true;
      post(context.origin, "/api/handoff", {
        session_id: context.sessionId || null,
        email: email.value.trim(),
        message: message.value.trim(),
        language: context.lang,
      })
        .then(function (response) {
          if (response.status === 422) throw new Error("badEmail");
          if (!response.ok) throw new Error("handoffFailed");
          remember("handoff:" + turnId, { sent: true });
          box.textContent = "";
          status.textContent = s.handoffDone;
          box.appendChild(status);
        })
        .catch(function (error) {
          submit.disabled = false;
          status.textContent = s[error.message] || s.handoffFailed;
          if (error.message === "badEmail") email.focus();
        });
    });
    return box;
  }

  window.IUCChatExtras = {
    /* Called by widget.js for each rendered message (row: its element; item: the
       message; context: {lang, origin, sessionId}). */
    decorate: function (row, item, context) {
      var s = STRINGS[context.lang] || STRINGS.en;
      if (item.welcome) {
        row.appendChild(el("p", "iuc-extra__privacy", s.privacy));
        return;
      }
      var turn = item.turn;
      if (!turn || !turn.id || item.from !== "bot") return;
      if (turn.handoff) row.appendChild(handoff(turn.id, s, context));
      else if (turn.answer && !turn.fallback) {
        // Answers from the knowledge base only: a form's next question is not rated.
        row.appendChild(feedback(turn.id, s, context.origin));
      }
    },
  };
})();
