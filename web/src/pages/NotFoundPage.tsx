import { Link } from 'react-router';
import { usePageTitle } from '../lib/title.js';

export default function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <main className="picker-main" id="main">
      <h1>Nothing here</h1>
      <p>
        This address does not name a page. <Link to="/projects">Go to your projects</Link>.
      </p>
    </main>
  );
}
