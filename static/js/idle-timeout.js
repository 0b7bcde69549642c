// Idle timeout warning. The server ends a session after SESSION_COOKIE_AGE
// seconds without a request (requests push the expiry back, at most once per
// SESSION_REFRESH_SECONDS, so the end may come up to that much earlier than
// counted here: the warning, IDLE_WARNING_SECONDS ahead, still comes before
// it, and "Stay signed in" always pushes the expiry back); this script shows
// a warning a few minutes before, offers to stay signed in, and goes to the
// sign-in page once the session has ended. Drafts are autosaved by the
// filling pages, so nothing typed is lost either way.
// Requests made with fetch() (autosave) restart the countdown; other scripts
// may also dispatch "msq:activity" on document.
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.dataset.idleSeconds, 10);
  var warningSeconds = parseInt(body.dataset.idleWarningSeconds, 10);
  var panel = document.getElementById("idle-warning");
  if (!idleSeconds || !panel) {
    return;
  }
  var stay = document.getElementById("idle-warning-stay");
  var warnTimer = null;
  var endTimer = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function hideWarning() {
    panel.hidden = true;
  }

  function showWarning() {
    panel.hidden = false;
    stay.focus();
  }

  function signedOut() {
    var next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(body.dataset.loginUrl + "?next=" + next);
  }

  function restart() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    hideWarning();
    warnTimer = window.setTimeout(showWarning, Math.max(0, idleSeconds - warningSeconds) * 1000);
    endTimer = window.setTimeout(signedOut, idleSeconds * 1000 + 2000);
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
    }).then(function (response) {
      if (response.ok) {
        restart();
      } else {
        signedOut();
      }
    }, restart);
  });
  document.addEventListener("msq:activity", restart);
  // Any successful request to the portal (autosave included) pushed the expiry
  // back on the server, so the countdown restarts with it.
  if (window.fetch) {
    var portalFetch = window.fetch;
    window.fetch = function () {
      return portalFetch.apply(this, arguments).then(function (response) {
        try {
          if (response.ok && new URL(response.url).origin === window.location.origin) {
            restart();
          }
        } catch (error) {
          // An opaque or unparsable response URL: leave the countdown as it is.
        }
        return response;
      });
    };
  }
  restart();
})();
