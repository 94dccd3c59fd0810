// The help viewer's lines (client.md §4.7) built from help.json, and the page's help
// section and "Latest Updates" list built from help.json and changelog.json.

/** "{title}" then "{keys}: {description}" for every item of every section. Pure. */
export function helpLines(doc) {
  const lines = [];
  for (const section of doc?.sections || []) {
    if (section.title) lines.push(String(section.title));
    for (const entry of section.items || []) lines.push(`${entry.keys}: ${entry.description}`);
  }
  return lines;
}

export async function fetchJson(url) {
  try {
    const response = await fetch(url, { cache: 'no-cache' });
    return response.ok ? await response.json() : null;
  } catch (error) {
    console.warn(`chgrid: could not load ${url}`, error);
    return null;
  }
}

/** Fill the page's help section with a definition list per help.json section. */
export function renderHelpSection(container, doc) {
  container.replaceChildren();
  for (const section of doc?.sections || []) {
    const heading = document.createElement('h3');
    heading.textContent = section.title;
    const list = document.createElement('dl');
    for (const entry of section.items || []) {
      const term = document.createElement('dt');
      term.textContent = entry.keys;
      const detail = document.createElement('dd');
      detail.textContent = entry.description;
      list.append(term, detail);
    }
    container.append(heading, list);
  }
}

/** Fill the footer's "Latest Updates" list from changelog.json. */
export function renderChangelog(list, doc) {
  list.replaceChildren();
  for (const entry of doc?.entries || []) {
    for (const change of entry.changes || []) {
      const item = document.createElement('li');
      item.textContent = `${entry.version}: ${change}`;
      list.append(item);
    }
  }
}
