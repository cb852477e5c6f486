/* inden storefront widget: availability, ship date, labels and a back-in-stock sign-up on a shop's product page.
 *
 *   <div data-inden-sku="KAOS-HITAM-M" data-quantity="1"></div>
 *   <script src="https://inden.example/widget.js" data-key="STOREFRONT_KEY" data-locale="id" defer></script>
 *
 * Texts come from the API (the same sentence as GET /v1/availability) and from the catalogues below.
 */
(function () {
  "use strict";
  var TEXTS = {{ texts|tojson }};
  var script = document.currentScript;
  var base = new URL(script.src).origin;
  var key = script.dataset.key;
  var pageLocale = script.dataset.locale || "id";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function call(method, path, body) {
    return fetch(base + path, {
      method: method,
      headers: {"Authorization": "Bearer " + key, "Content-Type": "application/json"},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw data;
        return data;
      });
    });
  }

  function signUpForm(box, sku, texts, locale) {
    var form = el("form", "inden-notify");
    var email = el("input");
    email.type = "email";
    email.required = true;
    email.placeholder = texts.email;
    email.setAttribute("aria-label", texts.email);
    var button = el("button", null, texts.notify);
    button.type = "submit";
    var note = el("p", "inden-note");
    form.append(email, button, note);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      call("POST", "/v1/subscriptions", {sku: sku, email: email.value, locale: locale})
        .then(function (answer) { form.replaceChildren(el("p", "inden-note", answer.message)); })
        .catch(function () { note.textContent = texts.error; button.disabled = false; });
    });
    box.append(form);
  }

  function render(box) {
    var sku = box.dataset.indenSku;
    var locale = box.dataset.locale || pageLocale;
    var texts = TEXTS[locale] || TEXTS.id;
    var query = "?quantity=" + encodeURIComponent(box.dataset.quantity || "1") + "&locale=" + locale;
    call("GET", "/v1/availability/" + encodeURIComponent(sku) + query).then(function (a) {
      box.replaceChildren();
      box.dataset.status = a.status;
      a.labels.forEach(function (label, i) { box.append(el("span", "inden-label inden-label-" + label, a.label_texts[i])); });
      box.append(el("p", "inden-message inden-" + a.status, a.message));
      if (a.status === "out_of_stock") signUpForm(box, sku, texts, locale);
    }).catch(function () { box.replaceChildren(el("p", "inden-message", texts.error)); });
  }

  document.querySelectorAll("[data-inden-sku]").forEach(render);
})();
