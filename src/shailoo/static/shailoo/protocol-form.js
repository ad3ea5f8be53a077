/*
 * The protocol form's checks, live, as the clerk types (the server runs the same ones on
 * submit and stays the authority; the page works without this file).
 *
 * A form opts in with data-config="ID", where ID names a <script type="application/json">
 * the page renders (no inline script: the Content-Security-Policy forbids it) holding:
 *
 *   relations   the law edition's control relations: {left: [line…], op, right: [line…]};
 *               a line is a protocol line (ballots_found), votes.<option>, votes_valid (the
 *               sum of every option's votes) or votes.* (every option);
 *   fields      protocol line → the id of its input;
 *   labels      line → its printed name, in the page's language;
 *   messages    operator → the sentence of a failed relation, with %(left)s, %(right)s,
 *               %(left_total)s and %(right_total)s;
 *   automatic   option → the scanners' count (or null: none yet); tolerance: votes allowed;
 *   thousands   the page language's thousands separator.
 *
 * A relation is checked once every line it names is filled in, so a half-typed protocol is
 * not covered in red. Its message goes beside the first of its lines that has a field, and
 * every input it involves is marked aria-invalid. Each option's row shows the difference
 * between the typed count and the scanners' one.
 */
(function () {
  "use strict";

  var VOTES = "votes.";

  function readConfig(form) {
    var holder = document.getElementById(form.getAttribute("data-config") || "");
    if (!holder) {
      return null;
    }
    try {
      return JSON.parse(holder.textContent);
    } catch (error) {
      return null;
    }
  }

  // Grouped as the server groups (Django's number_format): 1 000, 12 345.
  function grouped(value, separator) {
    var sign = value < 0 ? "-" : "";
    var digits = String(Math.abs(value));
    var out = "";
    while (separator && digits.length > 3) {
      out = separator + digits.slice(-3) + out;
      digits = digits.slice(0, -3);
    }
    return sign + digits + out;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  // A whole number >= 0, null when empty or not a number (the browser checks the rest).
  function valueOf(input) {
    if (!input) {
      return null;
    }
    var text = String(input.value || "").trim();
    if (!/^\d{1,10}$/.test(text)) {
      return null;
    }
    return parseInt(text, 10);
  }

  function setup(form) {
    var config = readConfig(form);
    if (!config) {
      return;
    }
    var inputs = {};
    Object.keys(config.fields).forEach(function (line) {
      var input = document.getElementById(config.fields[line]);
      if (input) {
        inputs[line] = input;
      }
    });
    var optionLines = Object.keys(inputs).filter(function (line) {
      return line.indexOf(VOTES) === 0;
    });
    var sumOutput = form.querySelector("output[data-sum]");

    // The server's relation messages are replaced by the live ones (the same checks).
    form.querySelectorAll(".field-msg .server[data-kind=relation]").forEach(function (node) {
      node.remove();
    });

    function values() {
      var found = {};
      Object.keys(inputs).forEach(function (line) {
        found[line] = valueOf(inputs[line]);
      });
      var sum = 0;
      var complete = optionLines.length > 0;
      optionLines.forEach(function (line) {
        if (found[line] === null) {
          complete = false;
        } else {
          sum += found[line];
        }
      });
      found.votes_valid = complete ? sum : null;
      return found;
    }

    // [[line, value], …] of one side; null when a line it names is not filled in.
    function side(names, found) {
      var items = [];
      for (var i = 0; i < names.length; i += 1) {
        var name = names[i];
        if (name === "votes.*") {
          for (var j = 0; j < optionLines.length; j += 1) {
            if (found[optionLines[j]] === null) {
              return null;
            }
            items.push([optionLines[j], found[optionLines[j]]]);
          }
        } else if (Object.prototype.hasOwnProperty.call(found, name)) {
          if (found[name] === null) {
            return null;
          }
          items.push([name, found[name]]);
        } else if (name.indexOf(VOTES) === 0) {
          items.push([name, 0]); // an option this contest does not have
        } else {
          return null;
        }
      }
      return items;
    }

    function total(items) {
      return items.reduce(function (acc, item) {
        return acc + item[1];
      }, 0);
    }

    function holds(left, op, right) {
      if (op === "=") {
        return left === right;
      }
      if (op === "<=") {
        return left <= right;
      }
      if (op === ">=") {
        return left >= right;
      }
      return true;
    }

    function label(name) {
      return (config.labels && config.labels[name]) || name;
    }

    function check() {
      var found = values();
      var messages = {};
      var involved = {};
      (config.relations || []).forEach(function (relation) {
        var left = side(relation.left, found);
        var right = side(relation.right, found);
        if (left === null || right === null) {
          return;
        }
        var leftTotal = total(left);
        var rightTotal = total(right);
        if (holds(leftTotal, relation.op, rightTotal)) {
          return;
        }
        var lines = left.concat(right).map(function (item) {
          return item[0];
        });
        var target = lines.filter(function (line) {
          return inputs[line];
        })[0];
        var text = format(config.messages[relation.op] || "", {
          left: relation.left.map(label).join(" + "),
          right: relation.right.map(label).join(" + "),
          left_total: grouped(leftTotal, config.thousands),
          right_total: grouped(rightTotal, config.thousands),
        });
        if (target) {
          (messages[target] = messages[target] || []).push(text);
        }
        lines.forEach(function (line) {
          involved[line] = true;
        });
      });
      Object.keys(inputs).forEach(function (line) {
        var input = inputs[line];
        var holder = document.getElementById(input.id + "-msg");
        var live = holder && holder.querySelector(".live");
        if (live) {
          var text = (messages[line] || []).join(" ");
          if (live.textContent !== text) {
            live.textContent = text;
          }
        }
        var serverError = holder && holder.querySelector(".server");
        if (involved[line] || serverError) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
      if (sumOutput) {
        sumOutput.textContent =
          found.votes_valid === null ? "—" : grouped(found.votes_valid, config.thousands);
      }
      compare(found);
    }

    // Each option's row: the typed count minus the scanners' one, highlighted.
    function compare(found) {
      if (!config.automatic) {
        return;
      }
      optionLines.forEach(function (line) {
        var row = inputs[line].closest("tr");
        var cell = row && row.querySelector("td.diff");
        if (!cell) {
          return;
        }
        var option = line.slice(VOTES.length);
        var scanned = config.automatic[option] || 0;
        var typed = found[line];
        cell.classList.remove("differs", "over");
        if (typed === null) {
          cell.textContent = "";
          return;
        }
        var gap = typed - scanned;
        cell.textContent = (gap > 0 ? "+" : "") + grouped(gap, config.thousands);
        if (Math.abs(gap) > (config.tolerance || 0)) {
          cell.classList.add("over");
        } else if (gap !== 0) {
          cell.classList.add("differs");
        }
      });
    }

    form.addEventListener("input", check);
    form.addEventListener("change", check);
    check();
  }

  function start() {
    document.querySelectorAll("form[data-config]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
