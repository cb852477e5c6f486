/* inden storefront widget: availability, ship date, labels and a back-in-stock sign-up on a shop's product page.
 *
 *   <div data-inden-sku="KAOS-HITAM-M" data-quantity="1"></div>
 *   <script src="https://inden.example/widget.js" data-key="STOREFRONT_KEY" data-locale="id" defer></script>
 *
 * With data-whatsapp="on" on the script (a shop that configured WhatsApp), the sign-up form also offers "tell me
 * by WhatsApp": a ticked box with a number signs up with channel "whatsapp" (the shopper's consent).
 *
 * Texts come from the API (the same sentence as GET /v1/availability) and from the catalogues below.
 * All the boxes of a page are read with one request (GET /v1/availability?sku=A&sku=B…).
 */
(function () {
  "use strict";
  var TEXTS = {{ texts|tojson }};
  var script = document.currentScript;
  var base = new URL(script.src).origin;
  var key = script.dataset.key;
  var pageLocale = script.dataset.locale || "id";
  var whatsapp = script.dataset.whatsapp === "on";

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
    form.append(email);
    var chat = null, phone = null;
    if (whatsapp) {
      var label = el("label", "inden-whatsapp");
      chat = el("input");
      chat.type = "checkbox";
      label.append(chat, " " + texts.by_whatsapp);
      phone = el("input");
      phone.type = "tel";
      phone.autocomplete = "tel";
      phone.placeholder = texts.phone;
      phone.setAttribute("aria-label", texts.phone);
      phone.hidden = true;
      chat.addEventListener("change", function () { phone.hidden = !chat.checked; phone.required = chat.checked; });
      form.append(label, phone);
    }
    form.append(button, note);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      var body = {sku: sku, email: email.value, locale: locale};
      if (chat && chat.checked) { body.channel = "whatsapp"; body.phone = phone.value; }
      call("POST", "/v1/subscriptions", body)
        .then(function (answer) { form.replaceChildren(el("p", "inden-note", answer.message)); })
        .catch(function () { note.textContent = texts.error; button.disabled = false; });
    });
    box.append(form);
  }

  function show(box, a, texts, locale) {
    box.replaceChildren();
    box.dataset.status = a.status;
    a.labels.forEach(function (label, i) { box.append(el("span", "inden-label inden-label-" + label, a.label_texts[i])); });
    box.append(el("p", "inden-message inden-" + a.status, a.message));
    if (a.status === "out_of_stock") signUpForm(box, box.dataset.indenSku, texts, locale);
  }

  // One request per language and quantity for every product box on the page (at most 100 SKUs each).
  var groups = {};
  document.querySelectorAll("[data-inden-sku]").forEach(function (box) {
    var key = (box.dataset.locale || pageLocale) + "|" + (box.dataset.quantity || "1");
    (groups[key] = groups[key] || []).push(box);
  });
  Object.keys(groups).forEach(function (key) {
    var locale = key.split("|")[0], quantity = key.split("|")[1], boxes = groups[key];
    var texts = TEXTS[locale] || TEXTS.id;
    for (var start = 0; start < boxes.length; start += 100) {
      (function (chunk) {
        var query = chunk.map(function (box) { return "sku=" + encodeURIComponent(box.dataset.indenSku); }).join("&");
        call("GET", "/v1/availability?" + query + "&quantity=" + encodeURIComponent(quantity) + "&locale=" + locale)
          .then(function (page) {
            var bySku = {};
            page.items.forEach(function (a) { bySku[a.sku] = a; });
            chunk.forEach(function (box) {
              if (bySku[box.dataset.indenSku]) show(box, bySku[box.dataset.indenSku], texts, locale);
              else box.replaceChildren();  // not sold here (any more)
            });
          })
          .catch(function () {
            chunk.forEach(function (box) { box.replaceChildren(el("p", "inden-message", texts.error)); });
          });
      })(boxes.slice(start, start + 100));
    }
  });
})();
