// CloudFront Function (cloudfront-js-2.0, viewer request) in front of the whole distribution: the
// same paths as the local runtime's console site (local/http-api/console-site.ts). `/` and `/app` go to
// `/app/`; under /app/ a file (a name with an extension, or anything under assets/) is fetched as it
// is, and any other path is a page of the single-page app, answered by /app/index.html. Every other
// path is the API's and passes untouched.
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- CloudFront calls it by this name
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/app') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/app/' } } };
  }
  if (uri.startsWith('/app/')) {
    var relative = uri.slice('/app/'.length);
    var lastSegment = relative.split('/').pop();
    var isFile = relative.startsWith('assets/') || /\.[A-Za-z0-9]+$/.test(lastSegment);
    if (!isFile) request.uri = '/app/index.html';
  }
  return request;
}
