// The section form, enhanced: autosave a couple of seconds after typing stops,
// "Add another" / "Remove" for links without a round trip, and conditional
// questions shown and hidden as answers change. Without this script the page
// works the same through its buttons; the server enforces everything.
(function () {
  "use strict";

  var form = document.getElementById("section-form");
  if (!form) {
    return;
  }
  // Django's JavaScript catalogue (/i18n/js/, loaded by base.html) gives gettext() in the
  // page's language; without it the English text shows.
  var gettext = window.gettext || function (message) { return message; };
  var interpolate =
    window.interpolate ||
    function (template, values) {
      return template.replace("%s", values[0]);
    };
  var ngettext =
    window.ngettext ||
    function (singular, plural, count) {
      return count === 1 ? singular : plural;
    };
  var statusNode = document.getElementById("autosave-status");
  var versionInput = form.querySelector("[data-base-version]");
  var url = form.getAttribute("data-autosave-url");
  var delay = parseInt(form.getAttribute("data-autosave-delay"), 10) || 2000;
  var timer = null;
  var inFlight = false;
  var pending = false;
  var stopped = false;
  // After a network failure or a server error, try again later, less and less
  // often (a deploy or a proxy hiccup passes); typing again saves at once.
  var retryDelay = 0;
  var RETRY_MAX = 60000;

  function say(message, isError, link) {
    if (!statusNode) {
      return;
    }
    statusNode.textContent = message;
    statusNode.classList.toggle("text-danger", isError === true);
    statusNode.classList.toggle("text-warning-emphasis", isError === "warning");
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link;
      anchor.className = "ms-1";
      anchor.textContent = gettext("Sign in again");
      statusNode.appendChild(document.createTextNode(" "));
      statusNode.appendChild(anchor);
    }
  }

  // The server says what kind of refusal it is ("code"); its message is in the official's
  // language, so the script never reads it. These codes' messages already begin "Nothing
  // was saved: …": a second "Not saved:" in front would only repeat it.
  var SAYS_NOTHING_SAVED = { not_saved: true, input: true, conflict: true };

  function refusal(data, fallback) {
    var message = data.error || String(fallback);
    if (data.code === "conflict") {
      return interpolate(gettext("%s Use “Save draft” to see both versions."), [message]);
    }
    return SAYS_NOTHING_SAVED[data.code] ? message : interpolate(gettext("Not saved: %s"), [message]);
  }

  function body() {
    var data = new FormData(form);
    return new URLSearchParams(data);
  }

  function save() {
    timer = null;
    if (stopped) {
      return;
    }
    if (inFlight) {
      pending = true;
      return;
    }
    inFlight = true;
    pending = false;
    say(gettext("Saving…"));
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" },
      body: body(),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            return { status: response.status, data: data };
          });
      })
      .then(function (result) {
        inFlight = false;
        var data = result.data || {};
        if (result.status === 200) {
          retryDelay = 0;
          versionInput.value = data.version;
          form.dataset.dirty = "";
          // The server's time in the official's zone, with it ("19:48 CET"), in the
          // very words of the "Save draft" banner (the same message id in both catalogues).
          var attention = data.problems ? showProblems(data.problems) : 0;
          if (attention) {
            // A save that stored a wrong value is no plain success.
            say(
              interpolate(
                ngettext(
                  "Saved, %(count)s answer needs attention (%(time)s)",
                  "Saved, %(count)s answers need attention (%(time)s)",
                  attention
                ),
                { count: attention, time: data.saved_at_display },
                true
              ),
              "warning"
            );
          } else {
            say(interpolate(gettext("Saved at %(time)s."), { time: data.saved_at_display }, true));
          }
          if (pending) {
            schedule();
          }
        } else if (result.status === 409) {
          // Someone else saved: stop, so that nothing is overwritten; the
          // "Save draft" button shows both versions.
          stopped = true;
          say(refusal(data, ""), true);
        } else if (result.status === 401) {
          stopped = true;
          say(gettext("Not saved: your session has expired."), true, data.login_url);
        } else if (result.status >= 500) {
          // 500, or 502/503/504 from the proxy while the portal restarts.
          say(gettext("Not saved: the portal is not answering. It will try again."), true);
          retryLater();
        } else {
          // 400 or 413: the message says what to change; sending it again would not help.
          say(refusal(data, result.status), true);
        }
      })
      .catch(function () {
        inFlight = false;
        say(gettext("Not saved: the portal could not be reached. It will try again."), true);
        retryLater();
      });
  }

  function retryLater() {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : delay * 5, RETRY_MAX);
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, retryDelay);
  }

  function schedule() {
    form.dataset.dirty = "1";
    if (stopped) {
      return;
    }
    say(gettext("Unsaved changes"));
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, delay);
  }

  // --- Problems at their field and the error summary ----------------------------
  // The autosave answers the problems left, each with its field's id ("field") and its
  // message's id ("error_id"), as the server draws them (crispy-bootstrap5's markup).
  // A missing answer ("missing") only stays where it is shown already: it is never
  // raised while the official is still typing, only cleared once answered.
  var summaryShown = "";

  function describedBy(node, id, add) {
    var ids = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (one) {
      return one && one !== id && !(add === null && /_error$/.test(one));
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      node.setAttribute("aria-describedby", ids.join(" "));
    } else {
      node.removeAttribute("aria-describedby");
    }
  }

  function fieldInputs(input) {
    if (input.type === "radio" || input.type === "checkbox") {
      return Array.prototype.slice.call(form.querySelectorAll('input[name="' + input.name + '"]'));
    }
    return [input];
  }

  function clearProblems() {
    form.querySelectorAll(".invalid-feedback").forEach(function (node) {
      node.remove();
    });
    form.querySelectorAll(".is-invalid, [aria-invalid]").forEach(function (node) {
      node.classList.remove("is-invalid");
      node.removeAttribute("aria-invalid");
    });
    form.querySelectorAll("[aria-describedby]").forEach(function (node) {
      describedBy(node, "", null);
    });
  }

  function showAtField(problem) {
    var input = document.getElementById(problem.field);
    if (!input) {
      return false;
    }
    var inputs = fieldInputs(input);
    inputs.forEach(function (one) {
      one.classList.add("is-invalid");
      one.setAttribute("aria-invalid", "true");
      describedBy(one, problem.error_id, true);
    });
    var box = document.getElementById(problem.error_id);
    if (!box) {
      box = document.createElement("div");
      box.id = problem.error_id;
      box.className = "invalid-feedback";
      var last = inputs[inputs.length - 1];
      var check = last.closest(".form-check");
      if (check) {
        check.appendChild(box);
      } else {
        last.insertAdjacentElement("afterend", box);
      }
    }
    var line = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = problem.message;
    line.appendChild(strong);
    box.appendChild(line);
    return true;
  }

  function drawSummary(placed) {
    var key = JSON.stringify(placed);
    if (key === summaryShown) {
      return;
    }
    summaryShown = key;
    var slot = document.getElementById("error-summary-slot");
    if (!slot) {
      return;
    }
    slot.textContent = "";
    if (!placed.length) {
      return;
    }
    var box = document.createElement("div");
    box.className = "alert alert-danger error-summary";
    box.id = "error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", "error-summary-title");
    box.tabIndex = -1;
    var title = document.createElement("h2");
    title.className = "h5";
    title.id = "error-summary-title";
    title.textContent = gettext("There is a problem");
    var list = document.createElement("ul");
    list.className = "mb-0";
    placed.forEach(function (problem) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + problem.field;
      link.textContent = problem.number + " " + problem.message;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(title);
    box.appendChild(list);
    slot.appendChild(box);
  }

  // Draws the problems left; answers how many questions need attention.
  function showProblems(problems) {
    var shownBefore = {};
    form.querySelectorAll(".invalid-feedback[id]").forEach(function (node) {
      shownBefore[node.id] = true;
    });
    clearProblems();
    var placed = [];
    var questions = {};
    problems.forEach(function (problem) {
      if (problem.code === "missing" && !shownBefore[problem.error_id]) {
        return;
      }
      if (showAtField(problem)) {
        placed.push({ field: problem.field, number: problem.number, message: problem.message });
        questions[problem.question] = true;
      }
    });
    drawSummary(placed);
    return Object.keys(questions).length;
  }

  // The summary's links take the official to the field, its question's text in view
  // (a plain link would scroll the input to the very top, its question out of sight).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("#error-summary a");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.hash.slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    var question = input.closest(".question");
    (question || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });

  // --- "If other, please specify" only while "Other" is ticked --------------------
  // Without this script the text box is always there; it is never hidden while it holds text.
  function applyOther() {
    form.querySelectorAll("[data-other-codes]").forEach(function (part) {
      var codes = part.getAttribute("data-other-codes").split(" ");
      var ticked = Array.prototype.some.call(
        part.querySelectorAll("input[type=checkbox]:checked"),
        function (box) {
          return codes.indexOf(box.value) !== -1;
        }
      );
      var text = part.querySelector('textarea[name$="-other"]');
      if (!text) {
        return;
      }
      var wrapper = text.closest(".mb-3") || text;
      var shown = ticked || text.value.trim() !== "";
      wrapper.hidden = !shown;
    });
  }

  // --- "Remove" only where there is something to remove --------------------------
  function rowIsEmpty(row) {
    return Array.prototype.every.call(row.querySelectorAll("input[type=text], input:not([type])"), function (input) {
      return input.value.trim() === "";
    });
  }

  function applyRemoveButtons() {
    form.querySelectorAll("[data-links-prefix]").forEach(function (block) {
      var rows = Array.prototype.filter.call(block.querySelectorAll(".link-rows > .link-row"), function (row) {
        return !row.classList.contains("d-none");
      });
      rows.forEach(function (row) {
        var button = row.querySelector("[data-remove-row]");
        if (button) {
          button.hidden = rows.length < 2 && rowIsEmpty(row);
        }
      });
    });
  }

  // --- Conditional questions and parts --------------------------------------
  function currentValue(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-if-field]").forEach(function (node) {
      var shown =
        currentValue(node.getAttribute("data-show-if-field")) ===
        node.getAttribute("data-show-if-equals");
      node.classList.toggle("d-none", !shown);
      node.hidden = !shown;
      // The question index lists the questions shown.
      var indexed = node.id && document.querySelector('[data-question-index="' + node.id.replace("question-", "") + '"]');
      if (indexed) {
        indexed.hidden = !shown;
      }
      node.querySelectorAll(".show-if-hint").forEach(function (hint) {
        hint.classList.add("d-none");
      });
    });
  }

  // --- Links: add and remove rows -------------------------------------------
  function addRow(button) {
    var block = button.closest("[data-links-prefix]");
    var prefix = block.getAttribute("data-links-prefix");
    var total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var index = parseInt(total.value, 10);
    var template = block.querySelector("template[data-empty-row]");
    var html = template.innerHTML.split("__prefix__").join(String(index));
    var list = block.querySelector(".link-rows");
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = list.lastElementChild;
    applyRemoveButtons();
    var first = added.querySelector("input[type=text]");
    if (first) {
      first.focus();
    }
  }

  function removeRow(button) {
    var row = button.closest(".link-row");
    var marker = row.querySelector('input[name$="-DELETE"]');
    marker.value = "on";
    row.classList.add("d-none");
    applyRemoveButtons();
    var block = button.closest("[data-links-prefix]");
    block.querySelector("[data-add-row]").focus();
    schedule();
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add);
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      removeRow(remove);
    }
  });

  // Fields that "input" has scheduled a save for since their last "change".
  var announced = new WeakSet();
  form.addEventListener("input", function (event) {
    // A reply to a reviewers' comment sits among the questions but is another form's
    // (form= attribute): typing it is no change to the answers.
    if (event.target.form !== form) {
      return;
    }
    announced.add(event.target);
    applyRemoveButtons();
    schedule();
  });
  form.addEventListener("change", function (event) {
    if (event.target.form !== form) {
      return;
    }
    applyConditions();
    applyOther();
    // A text box fires "change" when it loses focus, long after its "input"
    // events scheduled the save. Announcing "Unsaved changes" again would
    // replace an error the official has not read yet, on the very mouse-down
    // that moves focus to a button.
    if (announced.delete(event.target)) {
      return;
    }
    schedule();
  });
  form.addEventListener("submit", function () {
    // The server saves on submit; a late autosave must not race it.
    stopped = true;
    if (timer) {
      window.clearTimeout(timer);
    }
    form.dataset.dirty = "";
  });
  window.addEventListener("beforeunload", function (event) {
    if (form.dataset.dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  applyConditions();
  applyOther();
  applyRemoveButtons();
  var errors = document.getElementById("form-errors");
  var summary = document.getElementById("error-summary");
  if (errors) {
    errors.focus();
  } else if (summary && window.location.hash === "#error-summary") {
    // Back from a save that left problems: the summary first, as after any form submission.
    summary.focus();
  }
})();
