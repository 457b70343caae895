/**
 * Child process of the endpoint benchmark: `node --import tsx bench/endpoint-server-child.ts <delayMs>`.
 * Runs the loopback OpenAI-compatible fixture server (test/fixtures/openai-server.ts) with a fixed
 * answer delay, in its own process so its image decoding does not load the measured event loop.
 * Prints one JSON line `{ origin }`, then serves until stdin closes; on "stats\n" it prints
 * `{ peakInFlight, requests }`.
 */
import { startOpenAIServer } from '../test/fixtures/openai-server'

async function main(): Promise<void> {
  const delayMs = Number(process.argv[2] ?? '0')
  const server = await startOpenAIServer({ delayMs, decodeImages: false })
  process.stdout.write(`${JSON.stringify({ origin: server.origin })}\n`)
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (d: string) => {
    if (d.includes('stats'))
      process.stdout.write(
        `${JSON.stringify({ peakInFlight: server.peakInFlight, requests: server.chatRequests().length })}\n`
      )
  })
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)))
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`)
  process.exit(1)
})
