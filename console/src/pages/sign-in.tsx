import { useNavigate, useSearch } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useApp } from '../app-context';
import { demoUsers, localToken } from '../auth/session';
import { SelectField, TextField } from '../ui/fields';
import { FormError } from '../ui/states';

/** Sign-in: the demo people on the local runtime; the user pool's email and password in the cloud. */
export function SignInPage() {
  const { session, config } = useApp();
  const navigate = useNavigate();
  const { next } = useSearch({ from: '/sign-in' });
  useEffect(() => {
    if (session) void navigate({ to: next && next.startsWith('/') && !next.startsWith('//') ? next : '/', replace: true });
  }, [session, next, navigate]);
  return (
    <main id="main" className="signin">
      <h1>Sign in to Tradeflow</h1>
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
  const [newPassword, setNewPassword] = useState<((p: string) => Promise<void>) | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (config.mode !== 'cognito') return null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (newPassword) return await newPassword(password);
      const { signInWithCognito } = await import('../auth/cognito');
      const result = await signInWithCognito(config, email, password);
      if (result.kind === 'signed-in') return signIn(result.idToken);
      setPassword('');
      setNewPassword(() => async (p: string) => {
        const done = await result.complete(p);
        if (done.kind === 'signed-in') signIn(done.idToken);
      });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <FormError error={error} />
      {!newPassword && <TextField label="Email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />}
      <TextField label={newPassword ? 'Choose a new password' : 'Password'} type="password" autoComplete={newPassword ? 'new-password' : 'current-password'}
        value={password} onChange={(e) => setPassword(e.target.value)} required />
      <button type="submit" disabled={busy}>{newPassword ? 'Set password and sign in' : 'Sign in'}</button>
    </form>
  );
}
