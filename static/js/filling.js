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
    statusNode.classList.toggle("text-danger", Boolean(isError));
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
          say(interpolate(gettext("Saved at %(time)s."), { time: data.saved_at_display }, true));
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
    announced.add(event.target);
    schedule();
  });
  form.addEventListener("change", function (event) {
    applyConditions();
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
  var errors = document.getElementById("form-errors");
  if (errors) {
    errors.focus();
  }
})();
