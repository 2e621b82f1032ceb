// Starts Swagger UI on the backend's API docs page (/api/schema), which loads this file after
// swagger-ui-bundle.js. A separate file because the CSP forbids inline scripts.
window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/schema/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
  });
});
