// Gives component tests a browser's globals (window, document, File, URL.createObjectURL) under Node's test
// runner, from happy-dom. Imported first by render-screen.tsx: @testing-library binds `screen` to document.body
// when it is loaded, so the DOM must exist before.
import { GlobalRegistrator } from '@happy-dom/global-registrator';

if (!GlobalRegistrator.isRegistered) GlobalRegistrator.register({ url: 'http://localhost/', width: 1280, height: 800 });
// React warns about updates outside act() unless it knows it runs under a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
