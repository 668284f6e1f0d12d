import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useApp } from '../app-context';

const NAV = [
  { to: '/', label: 'Home' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/leads', label: 'Leads' },
  { to: '/opportunities', label: 'Pipeline' },
  { to: '/promotions', label: 'Promotions' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/finance', label: 'Finance' },
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/tickets', label: 'Tickets' },
  { to: '/handovers', label: 'Handovers', roles: ['ops', 'admin'] },
] as const satisfies readonly { to: string; label: string; roles?: readonly string[] }[];

/** The signed-in app: a skip link, the banner with the main navigation, and the page in <main>. */
export function Shell() {
  const { session, signOut } = useApp();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    if (!session) void navigate({ to: '/sign-in', search: {} });
  }, [session, navigate]);

  // after a navigation, move focus to the new page's heading so a screen reader announces it
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }, [pathname]);

  if (!session) return null;
  const current = (to: string) => (to === '/' ? pathname === '/app/' || pathname === '/app' : pathname.startsWith(`/app${to}`));
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="top">
        <div className="bar">
          <Link to="/" className="brand">Tradeflow</Link>
          <nav aria-label="Main">
            <ul>
              {NAV.filter((item) => !('roles' in item) || item.roles.some((role) => session.user.roles.includes(role))).map((item) => (
                <li key={item.to}>
                  <Link to={item.to} aria-current={current(item.to) ? 'page' : undefined} activeOptions={{ exact: item.to === '/' }}>{item.label}</Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="who">
            <span>{session.user.name} <span className="visually-hidden">signed in</span></span>
            <button type="button" onClick={() => signOut()}>Sign out</button>
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
