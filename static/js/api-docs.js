// Starts Swagger UI (static/vendor/swagger-ui) on the API docs page. The schema's URL comes
// from a data attribute: the CSP allows no inline script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: true,
    // Same-origin "Try it out"; no validator badge (it would call another host).
    validatorUrl: null,
    supportedSubmitMethods: ["get", "head"],
  });
});
