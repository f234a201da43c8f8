// A margin pool worker's entry. Plain JavaScript, because a worker thread
// starts without the TypeScript loader: it registers tsx, then loads the task.
import { register } from 'tsx/esm/api'

register()
const { runMarginTask } = await import('./margin-task.ts')

export default runMarginTask
