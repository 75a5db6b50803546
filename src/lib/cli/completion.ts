/**
 * Shell completion scripts (bash, zsh) generated from the command spec (./spec),
 * the same one help and the parser use. Pure and deterministic (the scripts are
 * derived from the spec only); `hactl completion bash|zsh` prints them: ./completion-cli.
 */
import { type CliSpec, commandList, compareWords, topicsOf, visibleFlags, words } from './spec';

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface Tables {
  subs: Map<string, string[]>;
  flags: Map<string, string[]>;
  values: Map<string, string[]>;
  takes: string[];
}

function tables(spec: CliSpec): Tables {
  const subs = new Map<string, string[]>();
  const add = (parent: string, w: string) => {
    const l = subs.get(parent) ?? [];
    if (!l.includes(w)) l.push(w);
    subs.set(parent, l);
  };
  for (const t of topicsOf(spec).keys()) {
    const p = t.split(' ');
    add(p.slice(0, -1).join(' '), p[p.length - 1]);
  }
  const flags = new Map<string, string[]>();
  const values = new Map<string, string[]>();
  const takes: string[] = [];
  for (const c of commandList(spec)) {
    const w = words(c.id);
    const p = w.split(' ');
    add(p.slice(0, -1).join(' '), p[p.length - 1]);
    const list: string[] = [];
    for (const f of visibleFlags(c)) {
      const names = [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])];
      list.push(...names);
      if (f.type === 'option') {
        for (const n of names) {
          takes.push(`${w}|${n}`);
          if (f.options) values.set(`${w}|${n}`, f.options);
        }
      }
    }
    flags.set(w, list);
  }
  add('', 'help');
  for (const l of subs.values()) l.sort();
  return { subs, flags, values, takes };
}

/** Data functions valid in both bash and zsh. */
function dataFunctions(spec: CliSpec): string {
  const t = tables(spec);
  const cases = (m: Map<string, string[]>) =>
    [...m.entries()]
      .sort((a, b) => compareWords(a[0], b[0]))
      .map(([k, v]) => `    ${q(k)}) echo ${q(v.join(' '))} ;;`)
      .join('\n');
  return `_hactl_sub() {
  case "$1" in
${cases(t.subs)}
  esac
}
_hactl_flags() {
  case "$1" in
${cases(t.flags)}
  esac
}
_hactl_values() {
  case "$1|$2" in
${cases(t.values)}
  esac
}
_hactl_takes() {
  case "$1|$2" in
${t.takes
  .sort()
  .map((k) => `    ${q(k)}) return 0 ;;`)
  .join('\n')}
  esac
  return 1
}`;
}

export function bashCompletion(spec: CliSpec): string {
  return `# bash completion for ${spec.bin} ${spec.version}, generated from its command spec.
# Install: ${spec.bin} completion bash > /etc/bash_completion.d/${spec.bin}   (or: source <(${spec.bin} completion bash))
${dataFunctions(spec)}
_hactl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath="" w i vals first=1 help=""
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  [[ "\${COMP_WORDS[1]}" == help ]] && (( COMP_CWORD > 1 )) && help=1 && first=2
  for ((i = first; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && break
    case " $(_hactl_sub "$cmdpath") " in
      *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;;
      *) break ;;
    esac
  done
  if [[ -n "$help" ]]; then
    COMPREPLY=($(compgen -W "$(_hactl_sub "$cmdpath")" -- "$cur"))
    return 0
  fi
  if [[ "$prev" == -* ]] && _hactl_takes "$cmdpath" "$prev"; then
    vals="$(_hactl_values "$cmdpath" "$prev")"
    if [[ -n "$vals" ]]; then COMPREPLY=($(compgen -W "$vals" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_hactl_flags "$cmdpath") --help" -- "$cur"))
    return 0
  fi
  vals="$(_hactl_sub "$cmdpath")"
  if [[ -n "$vals" ]]; then
    COMPREPLY=($(compgen -W "$vals" -- "$cur"))
    (( \${#COMPREPLY[@]} > 0 )) && return 0
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _hactl ${spec.bin}
`;
}

export function zshCompletion(spec: CliSpec): string {
  return `#compdef ${spec.bin}
# zsh completion for ${spec.bin} ${spec.version}, generated from its command spec.
# Install: ${spec.bin} completion zsh > "\${fpath[1]}/_${spec.bin}"   (or: source <(${spec.bin} completion zsh) after compinit)
${dataFunctions(spec)}
_hactl() {
  local cmdpath="" w i cur prev first=2 help=""
  local -a vals
  [[ \${words[2]} == help ]] && (( CURRENT > 2 )) && help=1 && first=3
  for ((i = first; i < CURRENT; i++)); do
    w=\${words[i]}
    [[ $w == -* ]] && break
    if [[ " $(_hactl_sub "$cmdpath") " == *" $w "* ]]; then cmdpath="\${cmdpath:+$cmdpath }$w"; else break; fi
  done
  cur=\${words[CURRENT]}
  prev=\${words[CURRENT-1]}
  if [[ -n $help ]]; then
    vals=(\${=$(_hactl_sub "$cmdpath")}); compadd -- $vals; return
  fi
  if [[ $prev == -* ]] && _hactl_takes "$cmdpath" "$prev"; then
    vals=(\${=$(_hactl_values "$cmdpath" "$prev")})
    if (( \${#vals} )); then compadd -- $vals; else _files; fi
    return
  fi
  if [[ $cur == -* ]]; then
    vals=(\${=$(_hactl_flags "$cmdpath")} --help); compadd -- $vals; return
  fi
  vals=(\${=$(_hactl_sub "$cmdpath")})
  if (( \${#vals} )); then compadd -- $vals; return; fi
  _files
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _hactl "$@"; else compdef _hactl ${spec.bin}; fi
`;
}
