import { createRootRouteWithContext, createRoute, createRouter, Outlet, redirect } from '@tanstack/react-router';
import type { AppContext } from './app-context';
import { Shell } from './ui/shell';
import { SignInPage } from './pages/sign-in';
import { HomePage } from './pages/home';
import { AccountsPage, AccountPage, AccountEditPage, AccountNewPage } from './pages/accounts';
import { LeadsPage } from './pages/leads';
import { PipelinePage } from './pages/pipeline';
import { PromotionsPage, PromotionNewPage, PromotionPage, PromotionEditPage } from './pages/promotions';
import { ApprovalsPage, ApprovalPage, AwayPage } from './pages/approvals';
import { FinancePage, FundPage } from './pages/finance';
import { TicketPage, TicketsPage } from './pages/tickets';
import { HandoverPage, HandoversPage } from './pages/handovers';
import { DashboardPage, type DashboardSearch } from './pages/dashboard';
import { NotFoundPage } from './pages/not-found';

const root = createRootRouteWithContext<{ app: AppContext }>()({ component: Outlet, notFoundComponent: NotFoundPage });

const signIn = createRoute({
  getParentRoute: () => root,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { next?: string } => (typeof search.next === 'string' ? { next: search.next } : {}),
  component: SignInPage,
});

/** Everything else needs a signed-in person. */
const signedIn = createRoute({
  getParentRoute: () => root,
  id: 'signed-in',
  beforeLoad: ({ context, location }) => {
    if (!context.app.session) throw redirect({ to: '/sign-in', search: { next: location.href } });
  },
  component: Shell,
});


export interface AccountSearch { q?: string; region?: string; status?: string; owner?: string }
const accounts = createRoute({
  getParentRoute: () => signedIn,
  path: '/accounts',
  validateSearch: (s: Record<string, unknown>): AccountSearch => Object.fromEntries(
    (['q', 'region', 'status', 'owner'] as const).filter((k) => typeof s[k] === 'string' && s[k] !== '').map((k) => [k, s[k] as string]),
  ),
  component: AccountsPage,
});

const approvals = createRoute({
  getParentRoute: () => signedIn,
  path: '/approvals',
  validateSearch: (s: Record<string, unknown>): { view?: 'mine' } => (s.view === 'mine' ? { view: 'mine' } : {}),
  component: ApprovalsPage,
});

const dashboard = createRoute({
  getParentRoute: () => signedIn,
  path: '/dashboard',
  validateSearch: (s: Record<string, unknown>): DashboardSearch => Object.fromEntries(
    (['from', 'to', 'scope'] as const).filter((k) => typeof s[k] === 'string' && s[k] !== '').map((k) => [k, s[k] as string]),
  ),
  component: DashboardPage,
});

const r_home = createRoute({ getParentRoute: () => signedIn, path: '/', component: HomePage });
const r_accounts_new = createRoute({ getParentRoute: () => signedIn, path: '/accounts/new', component: AccountNewPage });
const r_accounts__id = createRoute({ getParentRoute: () => signedIn, path: '/accounts/$id', component: AccountPage });
const r_accounts__id_edit = createRoute({ getParentRoute: () => signedIn, path: '/accounts/$id/edit', component: AccountEditPage });
const r_leads = createRoute({ getParentRoute: () => signedIn, path: '/leads', component: LeadsPage });
const r_opportunities = createRoute({ getParentRoute: () => signedIn, path: '/opportunities', component: PipelinePage });
const r_promotions = createRoute({ getParentRoute: () => signedIn, path: '/promotions', component: PromotionsPage });
const r_promotions_new = createRoute({ getParentRoute: () => signedIn, path: '/promotions/new', component: PromotionNewPage });
const r_promotions__id = createRoute({ getParentRoute: () => signedIn, path: '/promotions/$id', component: PromotionPage });
const r_promotions__id_edit = createRoute({ getParentRoute: () => signedIn, path: '/promotions/$id/edit', component: PromotionEditPage });
const r_approvals__id = createRoute({ getParentRoute: () => signedIn, path: '/approvals/$id', component: ApprovalPage });
const r_away = createRoute({ getParentRoute: () => signedIn, path: '/away', component: AwayPage });
const r_finance = createRoute({ getParentRoute: () => signedIn, path: '/finance', component: FinancePage });
const r_funds__id = createRoute({ getParentRoute: () => signedIn, path: '/funds/$id', component: FundPage });
const r_tickets = createRoute({ getParentRoute: () => signedIn, path: '/tickets', component: TicketsPage });
const r_tickets__id = createRoute({ getParentRoute: () => signedIn, path: '/tickets/$id', component: TicketPage });
const r_handovers = createRoute({ getParentRoute: () => signedIn, path: '/handovers', component: HandoversPage });
const r_handovers__id = createRoute({ getParentRoute: () => signedIn, path: '/handovers/$id', component: HandoverPage });

const routeTree = root.addChildren([
  signIn,
  signedIn.addChildren([
    r_home,
    accounts,
    r_accounts_new,
    r_accounts__id,
    r_accounts__id_edit,
    r_leads,
    r_opportunities,
    r_promotions,
    r_promotions_new,
    r_promotions__id,
    r_promotions__id_edit,
    approvals,
    r_approvals__id,
    r_away,
    r_finance,
    r_funds__id,
    r_tickets,
    r_tickets__id,
    r_handovers,
    r_handovers__id,
    dashboard,
  ]),
]);

export const router = createRouter({
  routeTree,
  basepath: '/app',
  context: { app: undefined! },
  defaultPreload: 'intent',
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register { router: typeof router }
}
