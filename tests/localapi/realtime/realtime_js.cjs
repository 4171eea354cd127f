// realtime-js (the pinned supabase-js's, vsn 2.0.0) against the local Realtime. Driven by
// test_realtime_js.py over stdin/stdout, one JSON object a line:
//   in  {"join": {"topic", "token"}}      -> out {"joined": topic, "status", "message"}
//   in  {"set_auth": token}               -> (sent to every joined channel)
//   out {"broadcast": topic, "message"}   for every broadcast heard; {"system": topic, ...}, {"closed": topic}
const { createRequire } = require('node:module')
const readline = require('node:readline')

const requireJs = createRequire(process.env.SUPABASE_JS_DIR + '/package.json')
const { RealtimeClient } = requireJs('@supabase/realtime-js')

const client = new RealtimeClient(process.env.REALTIME_URL, { params: { apikey: process.env.API_KEY } })
const say = (line) => process.stdout.write(JSON.stringify(line) + '\n')

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line)
  if (command.join) {
    const { topic, token } = command.join
    await client.setAuth(token)
    const channel = client.channel(topic, { config: { private: true } })
    channel.on('broadcast', { event: '*' }, (message) => say({ broadcast: topic, message }))
    channel.on('system', {}, (payload) => say({ system: topic, payload }))
    channel.subscribe((status, err) => {
      if (status === 'CLOSED') say({ closed: topic })
      else say({ joined: topic, status, message: err ? err.message : null })
    })
  } else if (command.set_auth) {
    await client.setAuth(command.set_auth)
    say({ auth_set: true })
  } else if (command.quit) {
    client.disconnect()
    process.exit(0)
  }
})
