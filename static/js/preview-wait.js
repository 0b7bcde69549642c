// The "preparing the draft PDF" page: ask every two seconds whether the preview is
// ready and start the download when it is; after two minutes, say to use Refresh.
// Without JavaScript the page's own text and Refresh link do the same.
(function () {
  "use strict";
  var status = document.getElementById("preview-status");
  if (!status || !window.fetch) return;
  var checkUrl = status.dataset.checkUrl;
  var downloadUrl = status.dataset.downloadUrl;
  var tries = 0;
  // Django's JavaScript catalogue (base.html) translates; English without it.
  var gettext = window.gettext || function (message) { return message; };

  function say(text) {
    status.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    status.appendChild(p);
  }

  function check() {
    tries += 1;
    fetch(checkUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { state: "pending" }; })
      .then(function (answer) {
        if (answer.state === "ready") {
          say(gettext("The PDF is ready; the download starts."));
          window.location.assign(downloadUrl);
        } else if (answer.state === "failed") {
          window.location.assign(downloadUrl); // the server's page explains the failure
        } else if (tries < 60) {
          window.setTimeout(check, 2000);
        } else {
          say(gettext("This is taking longer than usual. Use Refresh to try again."));
        }
      })
      .catch(function () {
        if (tries < 60) window.setTimeout(check, 2000);
        else say(gettext("This is taking longer than usual. Use Refresh to try again."));
      });
  }
  window.setTimeout(check, 2000);
})();
