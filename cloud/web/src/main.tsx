/** Entry: providers (language → antd locale and theme → session → live stream) and the router. */
import { unstableSetRender } from 'antd';
import { createRoot, type Root } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App.js';
import { I18nProvider } from './i18n/index.js';
import { SessionProvider } from './session.js';
import './styles.css';

// Ant Design 5 renders its pop-ups (message, notification, Modal.confirm) with React's legacy render,
// which React 19 removed: give it React 19's root API.
unstableSetRender((node, container) => {
  const c = container as Element & { _qsRoot?: Root };
  c._qsRoot ??= createRoot(container);
  const root = c._qsRoot;
  root.render(node);
  return async () => {
    await new Promise((r) => setTimeout(r, 0));
    root.unmount();
  };
});

const el = document.getElementById('root');
if (!el) throw new Error('#root missing');
createRoot(el).render(
  <I18nProvider>
    <SessionProvider>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </SessionProvider>
  </I18nProvider>,
);
