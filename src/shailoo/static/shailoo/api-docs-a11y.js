/*
 * The API explorer's accessibility repairs: Swagger UI draws its markup after load and
 * redraws it on every click, so the repairs run on each change of #swagger-ui.
 * - a <select> of "Try it out" gets its parameter's name as aria-label (Swagger UI puts the
 *   name in a neighbouring cell, tied to nothing);
 * - a region that scrolls (an example or response body) can take the keyboard's focus, so its
 *   overflow can be read without a mouse;
 * - headings: Swagger UI goes from the page's title straight to <h3> for each group of
 *   operations; inside it each heading is announced one level up, as the outline reads.
 * Loaded from /static (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  var root = null;
  var scheduled = false;

  function labelSelects() {
    root.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      if (select.labels && select.labels.length) return;
      var row = select.closest("tr[data-param-name]");
      var name = row ? row.getAttribute("data-param-name") : select.getAttribute("name");
      var where = row ? row.getAttribute("data-param-in") : "";
      var label = name || (select.closest(".content-type-wrapper, .response-control-media-type") ? "Media type" : "Value");
      select.setAttribute("aria-label", where ? label + " (" + where + ")" : label);
    });
  }

  function focusableScrollers() {
    root.querySelectorAll("pre, div, code, table").forEach(function (el) {
      if (el.hasAttribute("tabindex")) return;
      var style = window.getComputedStyle(el);
      var scrolls = /(auto|scroll)/.test(style.overflowX + " " + style.overflowY);
      if (scrolls && (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight)) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function headingLevels() {
    if (root.querySelector("h2")) return;
    root.querySelectorAll("h3, h4, h5, h6").forEach(function (h) {
      h.setAttribute("aria-level", String(Number(h.tagName.charAt(1)) - 1));
    });
  }

  function repair() {
    scheduled = false;
    labelSelects();
    focusableScrollers();
    headingLevels();
  }

  function later() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(repair);
    }
  }

  function start() {
    root = document.getElementById("swagger-ui");
    if (!root) return;
    new MutationObserver(later).observe(root, { childList: true, subtree: true });
    later();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
