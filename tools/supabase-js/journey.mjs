// The learner's journey through supabase-js, exactly as an app makes it, against a running stack:
// dev sign-in, token exchange at the sidecar, reference data and every onboarding step through the
// Data API, the private Realtime channel user:<uuid> hearing each change and the plan becoming ready,
// another user's join to that channel refused, and the channel still delivering after a token refresh.
//
// Reads FLUENTPRO_CLIENT_CONFIG (JSON: api_url, anon_key, sidecar_url, dev_idp_token_url, the keys of
// `fluentpro status --json`) and FLUENTPRO_JOURNEY (JSON: learner and intruder, the dev users to sign in;
// steps [[fn, args]...], after_refresh [fn, args], unknown_industry, job_title; select_job_role gets the first role search_job_roles finds for job_title),
// and prints one JSON object with what it saw; tests/clients/journey.py asserts on it.
// Run with `node --experimental-websocket` on Node 20 (Node 22+ has WebSocket built in, as browsers do).
import { createClient } from '@supabase/supabase-js'

const config = JSON.parse(process.env.FLUENTPRO_CLIENT_CONFIG)
const journey = JSON.parse(process.env.FLUENTPRO_JOURNEY)
// Turns a missing event or reply into a clear failure; never a measure of speed.
const WAIT_MS = Number(process.env.FLUENTPRO_CLIENT_WAIT_MS || 120000)
const DEV_USER_GRANT = 'urn:fluentpro:dev-user'
const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'

async function postForm(url, fields) {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) })
  const body = await response.json()
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${JSON.stringify(body)}`)
  return body
}

// Development sign-in (Auth0-shaped token), then the exchange for a Supabase JWT.
async function signIn(name) {
  const login = await postForm(config.dev_idp_token_url, { grant_type: DEV_USER_GRANT, username: name })
  const exchanged = await postForm(`${config.sidecar_url}/v1/auth/token`, {
    grant_type: EXCHANGE_GRANT,
    subject_token: login.access_token,
    subject_token_type: ACCESS_TOKEN_TYPE,
  })
  return { token: exchanged.access_token, expiresIn: exchanged.expires_in }
}

function subjectOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub
}

async function connect(name) {
  const session = await signIn(name)
  const supabase = createClient(config.api_url, config.anon_key, {
    accessToken: async () => session.token,
    db: { schema: 'api' },
  })
  await supabase.realtime.setAuth() // resolve the token before the first join, so the join carries it
  return { name, session, supabase, profileId: subjectOf(session.token) }
}

function withTimeout(promise, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

// The first status the channel reports (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT or CLOSED).
function subscribe(channel) {
  return withTimeout(
    new Promise((resolve) => {
      channel.subscribe((status, err) => resolve({ status, message: err ? err.message : null }))
    }),
    `the join of ${channel.topic}`,
  )
}

// Every broadcast a channel hears, in order; waitFor resolves once one matches.
function listen(channel) {
  const received = []
  const waiters = []
  channel.on('broadcast', { event: '*' }, (message) => {
    received.push({ event: message.event, payload: message.payload })
    for (const waiter of [...waiters]) {
      if (waiter.matches(message)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(message)
      }
    }
  })
  const waitFor = (matches, what) => {
    const seen = received.find(matches)
    if (seen) return Promise.resolve(seen)
    return withTimeout(new Promise((resolve) => waiters.push({ matches, resolve })), what)
  }
  return { received, waitFor }
}

async function call(supabase, fn, args) {
  const { data, error, status } = await supabase.rpc(fn, args)
  if (error) throw new Error(`${fn} answered ${status}: ${JSON.stringify(error)}`)
  return data
}

async function reference(supabase) {
  const lists = {}
  for (const view of ['native_languages', 'industries', 'communication_partners', 'situations']) {
    const { data, error } = await supabase.from(view).select('slug, name').order('sort_order')
    if (error) throw new Error(`${view}: ${JSON.stringify(error)}`)
    lists[view] = data.map((row) => row.slug)
  }
  return lists
}

const alice = await connect(journey.learner)
const bob = await connect(journey.intruder)
const result = { alice: alice.profileId, bob: bob.profileId, expires_in: alice.session.expiresIn }

result.reference = await reference(alice.supabase)
result.me = await call(alice.supabase, 'me', {})

const aliceChannel = alice.supabase.channel(`user:${alice.profileId}`, { config: { private: true } })
const inbox = listen(aliceChannel)
result.alice_join = await subscribe(aliceChannel)

const bobOnAlice = bob.supabase.channel(`user:${alice.profileId}`, { config: { private: true } })
listen(bobOnAlice)
result.bob_join = await subscribe(bobOnAlice)
await bob.supabase.removeChannel(bobOnAlice) // stop the client's rejoin attempts

const unknown = await alice.supabase.rpc('set_industry', { industry: journey.unknown_industry })
result.refused_step = {
  status: unknown.status,
  data: unknown.data,
  error: unknown.error && {
    code: unknown.error.code,
    message: unknown.error.message,
    details: unknown.error.details,
    hint: unknown.error.hint,
  },
}

const [role] = await call(alice.supabase, 'search_job_roles', { title: journey.job_title })
result.steps = []
for (const [fn, given] of journey.steps) {
  const args = fn === 'select_job_role' ? { job_role_id: role.job_role_id } : given
  const state = await call(alice.supabase, fn, args)
  // Each step's own broadcast carries the state the call returned (same version).
  await inbox.waitFor(
    (m) => m.event === 'onboarding_state' && m.payload.state?.version === state.version,
    `onboarding_state version ${state.version} after ${fn}`,
  )
  result.steps.push({ fn, state })
}
await inbox.waitFor((m) => m.event === 'learning_plan_ready', 'learning_plan_ready')
await inbox.waitFor((m) => m.event === 'job_done', 'job_done of the plan')
result.plan = await call(alice.supabase, 'my_learning_plan', {})

// Refresh: a new sign-in and exchange; the accessToken callback now answers the new token, and
// setAuth() hands it to Realtime. The channel keeps delivering under it.
const refreshed = await signIn(journey.learner)
result.refreshed_token_differs = refreshed.token !== alice.session.token
alice.session.token = refreshed.token
await alice.supabase.realtime.setAuth()
const after = await call(alice.supabase, ...journey.after_refresh)
await inbox.waitFor(
  (m) => m.event === 'onboarding_state' && m.payload.state?.version === after.version,
  'onboarding_state after the token refresh',
)
result.after_refresh = after
result.events = inbox.received

await alice.supabase.removeAllChannels()
await bob.supabase.removeAllChannels()
process.stdout.write(JSON.stringify(result) + '\n')
process.exit(0) // the clients' timers (heartbeats, reconnects) would otherwise keep Node alive
