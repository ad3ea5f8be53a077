/*
 * htmx forms whose result area must always show the answer to the latest request.
 *
 * htmx swaps only 2xx responses: a 400 (bad input) or 429 (too many requests) would leave
 * the result area as it was, still showing the previous answer. A form opts in with:
 *
 *   data-answer-failed="…"      the message (in the page's language) shown when no answer
 *                               came back: network failure, timeout, or an error status not
 *                               listed below (5xx, a CSRF 403);
 *   data-answer-statuses="…"    error statuses whose body is an answer to show (e.g. "400 429");
 *   data-answer-clear           empty the result area as soon as a request starts.
 *
 * Loaded from /static (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";

  // The requesting element (htmx:beforeSwap names the target as ``elt``, hence requestConfig).
  function answerForm(detail) {
    const config = detail && detail.requestConfig;
    const elt = (config && config.elt) || (detail && detail.elt);
    return elt && elt.closest ? elt.closest("[data-answer-failed]") : null;
  }

  function showFailure(form, target) {
    if (!target) {
      return;
    }
    const message = document.createElement("p");
    message.className = "bad";
    message.setAttribute("role", "alert");
    message.textContent = form.getAttribute("data-answer-failed");
    const card = document.createElement("div");
    card.className = "card result answer-failed";
    card.appendChild(message);
    target.replaceChildren(card);
  }

  function done(target) {
    if (target) {
      target.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = answerForm(event.detail);
    const target = event.detail.target;
    if (!form || !target) {
      return;
    }
    target.setAttribute("aria-busy", "true");
    if (form.hasAttribute("data-answer-clear")) {
      target.replaceChildren();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    const form = answerForm(event.detail);
    if (!form || !event.detail.isError) {
      return;
    }
    const listed = (form.getAttribute("data-answer-statuses") || "").split(/\s+/);
    if (listed.indexOf(String(event.detail.xhr.status)) >= 0) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function failed(event) {
    const form = answerForm(event.detail);
    if (form) {
      showFailure(form, event.detail.target);
      done(event.detail.target);
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);

  document.addEventListener("htmx:afterRequest", function (event) {
    if (answerForm(event.detail)) {
      done(event.detail.target);
    }
  });
})();
