// Saving a reordered list on the admins' pages (the spaces, a course's outline): after each
// change the whole order goes to the server in one request, one request at a time (a change
// made while one is on its way is sent after it). A refusal (400) is the page's to show: the
// server answers with the order it has, which replaces ours. A network failure puts the last
// saved order back. Each page says how its order is read, sent and put back.
window.AgoraOrder = (function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function announce(text) {
    var status = document.querySelector("[data-order-status]");
    if (status) status.textContent = text;
  }

  // options:
  //   container()        the element holding the list: data-order-url, [data-order-error]
  //   read()             the order on the page, as a string
  //   request(order)     {body, contentType} of the request that saves `order`
  //   refused(response)  a promise, once the server's order is on the page; it resolves to
  //                      the error to show, if the server's answer does not show one
  //   restore(order)     puts a saved order (a string from read()) back on the page
  //   noun               "list" or "outline", for the messages
  function saver(options) {
    var saved = "";
    var saving = false;
    var pending = false;

    function showError(text) {
      var box = options.container() && options.container().querySelector("[data-order-error]");
      if (!box) return;
      box.textContent = text;
      box.hidden = !text;
    }

    function setBusy(busy) {
      var box = options.container();
      if (!box) return;
      box.classList.toggle("is-saving", busy);
      box.setAttribute("aria-busy", busy ? "true" : "false");
    }

    function save() {
      var order = options.read();
      if (order === saved) return;
      if (saving) { pending = true; return; }
      saving = true;
      setBusy(true);
      var request = options.request(order);
      fetch(options.container().dataset.orderUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": request.contentType },
        body: request.body,
      }).then(function (response) {
        if (response.ok) {
          saved = order;
          showError("");
          announce("New order saved.");
          return;
        }
        if (response.status === 400) {
          pending = false;
          return options.refused(response).then(function (error) {
            saved = options.read();
            if (error) showError(error);
            announce("The new order was not saved.");
          });
        }
        throw new Error("status " + response.status);
      }).catch(function () {
        pending = false;
        options.restore(saved);
        showError("The new order was not saved: the server could not be reached. " +
                  "The " + options.noun + " is back as it was.");
        announce("The new order was not saved.");
      }).then(function () {
        saving = false;
        setBusy(false);
        if (pending) { pending = false; save(); }
      });
    }

    return {
      save: save,
      // The order on the page is the server's (after the page is set up or replaced).
      reset: function () { saved = options.read(); },
      changed: function () { return options.read() !== saved; },
    };
  }

  function flash(item) {
    item.classList.remove("is-moved");
    void item.offsetWidth;  // restart the animation
    item.classList.add("is-moved");
  }

  return { saver: saver, announce: announce, flash: flash };
})();
