import { useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { useProject } from '../api/queries.js';
import { forgetApiKey } from '../api/session.js';

const SECTIONS = [
  ['runs', 'Runs'],
  ['records', 'Records'],
  ['playground', 'Playground'],
  ['testsets', 'Testsets'],
  ['metrics', 'Metrics'],
  ['systems', 'Systems'],
] as const;

/** The frame of every project page: the project's sections on the left, the page on the right. */
export function ProjectLayout() {
  const { projectId = '' } = useParams();
  const project = useProject(projectId);
  return (
    <div className="shell">
      <aside className="sidebar">
        <Brand />
        <div className="project-name" title={project.data?.name}>
          <span className="muted small">Project</span>
          <strong>{project.data?.name ?? '…'}</strong>
          <NavLink to="/projects" className="small">
            Switch project
          </NavLink>
        </div>
        <nav aria-label="Project sections">
          <ul className="nav-list">
            {SECTIONS.map(([path, label]) => (
              <li key={path}>
                <NavLink to={`/projects/${projectId}/${path}`}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <SignOut />
      </aside>
      <main className="content" id="main">
        <Outlet />
      </main>
    </div>
  );
}

export function Brand() {
  return (
    <div className="brand">
      <span className="brand-mark" aria-hidden="true">
        ✓
      </span>
      Verdict
    </div>
  );
}

export function SignOut() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  return (
    <button
      type="button"
      className="link-button sign-out"
      onClick={() => {
        forgetApiKey();
        queries.clear();
        navigate('/signin');
      }}
    >
      Sign out
    </button>
  );
}
