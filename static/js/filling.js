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
  var messagesNode = document.getElementById("autosave-messages");
  var text = messagesNode ? JSON.parse(messagesNode.textContent) : {};
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
      anchor.textContent = text.sign_in || "Sign in";
      statusNode.appendChild(document.createTextNode(" "));
      statusNode.appendChild(anchor);
    }
  }

  function fill(template, value) {
    return (template || "%s").replace("%s", value);
  }

  // The portal's refusals already begin "Nothing was saved: …"; a second
  // "Not saved:" in front would only repeat it, so the template's lead-in is
  // dropped then. The test reads the English wording: a translated interface
  // needs the server to say which messages carry the lead-in (views.py).
  var ALREADY_SAID = /^Nothing was saved\b/;

  function refusal(template, error) {
    if (error && ALREADY_SAID.test(error)) {
      template = (template || "%s").replace(/^[^%]*%s/, "%s");
    }
    return fill(template, error);
  }

  // "Saved at" in the official's own clock; the server's UTC time if the browser cannot tell.
  function localTime(iso, fallback) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) {
      return fallback;
    }
    return moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
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
    say(text.saving || "Saving…");
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
          say(fill(text.saved, localTime(data.saved_at, data.saved_at_display)));
          if (pending) {
            schedule();
          }
        } else if (result.status === 409) {
          // Someone else saved: stop, so that nothing is overwritten; the
          // "Save draft" button shows both versions.
          stopped = true;
          say(refusal(text.conflict, data.error || ""), true);
        } else if (result.status === 401) {
          stopped = true;
          say(text.expired || data.error, true, data.login_url);
        } else if (result.status >= 500) {
          // 500, or 502/503/504 from the proxy while the portal restarts.
          say(text.unavailable, true);
          retryLater();
        } else {
          // 400 or 413: the message says what to change; sending it again would not help.
          say(refusal(text.failed, data.error || result.status), true);
        }
      })
      .catch(function () {
        inFlight = false;
        say(text.offline, true);
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
    say(text.unsaved || "");
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
