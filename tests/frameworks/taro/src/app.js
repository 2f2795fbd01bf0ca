import { startCheck } from './check.js';

startCheck();

function App({ children }) {
  return children;
}

export default App;
