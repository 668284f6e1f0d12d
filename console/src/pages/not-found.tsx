import { Link } from '@tanstack/react-router';

export function NotFoundPage() {
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p>There is no page at this address. <Link to="/">Go to your home page</Link>.</p>
    </main>
  );
}
