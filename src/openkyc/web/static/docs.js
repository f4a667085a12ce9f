/* Starts Swagger UI on the page's OpenAPI document. A file of its own rather than an inline
 * script, so that the page's policy allows scripts from this server only. */
(() => {
  const root = document.getElementById('swagger-ui');
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // The default sends the document to an outside validator for a badge.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
