import { useNavigate, useSearch } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useApp } from '../app-context';
import { demoUsers, localToken } from '../auth/session';
import { SelectField, TextField } from '../ui/fields';
import { FormError } from '../ui/states';
import type { SignInResult } from '../auth/cognito';

/** Sign-in: the demo people on the local runtime; the user pool's email and password in the cloud. */
export function SignInPage() {
  const { session, config, signedOutBecause } = useApp();
  const navigate = useNavigate();
  const { next } = useSearch({ from: '/sign-in' });
  useEffect(() => {
    if (session) void navigate({ to: next && next.startsWith('/') && !next.startsWith('//') ? next : '/', replace: true });
  }, [session, next, navigate]);
  return (
    <main id="main" className="signin">
      <h1>Sign in to Tradeflow</h1>
      {signedOutBecause && <p role="status">You were signed out: {signedOutBecause}.</p>}
      <div className="card">{config.mode === 'local' ? <LocalSignIn /> : <CloudSignIn />}</div>
    </main>
  );
}

function LocalSignIn() {
  const { signIn } = useApp();
  const users = useQuery({ queryKey: ['demo-users'], queryFn: demoUsers });
  const [who, setWho] = useState('u-sales');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      signIn(await localToken(who));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const options = [
    ...(users.data ?? []).map((u) => ({ value: u.id, label: `${u.name} (${u.roles.join(', ')}, ${u.departmentId.replace(/^d-/, '')})` })),
    ...['sales', 'finance', 'ops', 'marketing', 'admin'].map((role) => ({ value: role, label: `Any ${role} user` })),
  ];
  return (
    <form onSubmit={submit}>
      <p>This is the local runtime: choose a demo person, or a role, and go.</p>
      <FormError error={error ?? users.error} />
      <SelectField label="Sign in as" value={who} onChange={(e) => setWho(e.target.value)} options={options} disabled={users.isPending} />
      <button type="submit" disabled={busy || users.isPending}>Sign in</button>
    </form>
  );
}

function CloudSignIn() {
  const { signIn, config } = useApp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  // what the pool asks next after the password: a new password, an authenticator to enrol, or its code
  const [pending, setPending] = useState<Exclude<SignInResult, { kind: 'signed-in' }>>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (config.mode !== 'cognito') return null;
  const proceed = (result: SignInResult) => {
    setPassword('');
    setCode('');
    if (result.kind === 'signed-in') signIn(result.idToken);
    else setPending(result);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (pending) return proceed(await pending.complete(pending.kind === 'new-password-required' ? password : code.replace(/\s/g, '')));
      const { signInWithCognito } = await import('../auth/cognito');
      proceed(await signInWithCognito(config, email, password));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const codeField = (
    <TextField label="Code from your authenticator app" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*"
      value={code} onChange={(e) => setCode(e.target.value)} required />
  );
  return (
    <form onSubmit={submit}>
      <FormError error={error} />
      {!pending && <>
        <TextField label="Email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit" disabled={busy}>Sign in</button>
      </>}
      {pending?.kind === 'new-password-required' && <>
        <TextField label="Choose a new password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit" disabled={busy}>Set password and sign in</button>
      </>}
      {pending?.kind === 'authenticator-setup' && <>
        <p>Tradeflow asks for a code from an authenticator app at every sign-in. Add this key to yours
          (or <a href={pending.otpauthUri}>open it in the app</a>), then type the code it shows.</p>
        <p>Key: <code aria-label="Key for your authenticator app">{pending.secret.match(/.{1,4}/g)?.join(' ')}</code></p>
        {codeField}
        <button type="submit" disabled={busy}>Verify and sign in</button>
      </>}
      {pending?.kind === 'code-required' && <>
        {codeField}
        <button type="submit" disabled={busy}>Sign in</button>
      </>}
    </form>
  );
}
