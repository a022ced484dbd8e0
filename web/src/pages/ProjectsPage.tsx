import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { client, errorText } from '../api/client.js';
import { useProjects } from '../api/queries.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { Brand, SignOut } from '../components/Layout.js';
import { usePageTitle } from '../lib/title.js';

/** The project picker, with a form for the first (or next) project. */
export function ProjectsPage() {
  usePageTitle('Projects');
  const projects = useProjects();
  return (
    <div className="picker">
      <header className="picker-head">
        <Brand />
        <SignOut />
      </header>
      <main className="picker-main" id="main">
        <h1>Choose a project</h1>
        {projects.isPending && <Loading what="projects" />}
        {projects.error && <ErrorNote error={projects.error} what="projects" />}
        {projects.data && projects.data.length === 0 && (
          <p className="muted">No projects yet. Create the first one to start evaluating.</p>
        )}
        <ul className="project-grid">
          {projects.data?.map((p) => (
            <li key={p.id}>
              <Link className="card project-card" to={`/projects/${p.id}/runs`}>
                <strong>{p.name}</strong>
                <span className="muted small">{p.description || 'No description'}</span>
              </Link>
            </li>
          ))}
        </ul>
        <CreateProject />
      </main>
    </div>
  );
}

function CreateProject() {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: () => client().projects.create({ name, description }),
    onSuccess: (project) => {
      void queries.invalidateQueries({ queryKey: ['projects'] });
      navigate(`/projects/${project.id}/runs`);
    },
  });
  return (
    <form
      className="card form-card"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>New project</h2>
      <label htmlFor="project-name">Name</label>
      <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} required />
      <label htmlFor="project-description">Description</label>
      <input id="project-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      {create.error && (
        <p className="error-note" role="alert">
          {errorText(create.error)}
        </p>
      )}
      <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
        Create project
      </button>
    </form>
  );
}
