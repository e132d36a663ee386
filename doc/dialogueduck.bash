# bash completion for dialogueduck.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# The option list is read from the program's own --help (and batch --help),
# so it never falls behind the program; only the values an option takes
# are listed here. Needs the bash-completion package's helpers.

_dialogueduck()
{
    local cur prev words cword
    _init_completion || return

    local prog=${words[0]} batch= i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == batch ]]; then
            batch=batch
            break
        fi
        [[ ${words[i]} == -* ]] || break
    done

    case $prev in
        --loudness)
            COMPREPLY=($(compgen -W 'ebu atsc streaming netflix off' -- "$cur"))
            return ;;
        --gate)
            COMPREPLY=($(compgen -W 'program dialogue' -- "$cur"))
            return ;;
        -loglevel | --loglevel)
            COMPREPLY=($(compgen -W 'quiet panic fatal error warning info verbose debug trace' -- "$cur"))
            return ;;
        --keyframes-format)
            COMPREPLY=($(compgen -W 'json csv cmd xml fcpxml txt' -- "$cur"))
            return ;;
        --keyframes)
            _filedir '@(json|csv|cmd|xml|fcpxml|txt)'
            return ;;
        --apply-keyframes)
            _filedir '@(json|csv)'
            return ;;
        --report | --summary)
            _filedir json
            return ;;
        --plot)
            _filedir svg
            return ;;
        --output-dir)
            _filedir -d
            return ;;
        --task)
            COMPREPLY=($(compgen -W 'env env:' -- "$cur"))
            [[ ${COMPREPLY-} == env: ]] && compopt -o nospace
            return ;;
        -i | --input | -d | --dialogue | -m | --music | -e | --effects | \
        -o | --output | --music-out)
            _filedir
            return ;;
        --depth | --below | --lookahead | --attack | --release | --hold | \
        --threshold | --sensitivity | --true-peak | --codec | --bitrate | \
        --threads | -j | --jobs | --sample-rate | -ar | -b:a | -c:a | \
        --codec-opt)
            return ;;
        --sample-fmt)
            COMPREPLY=($(compgen -W 'u8 s16 s32 s64 flt dbl u8p s16p s32p s64p fltp dblp' -- "$cur"))
            return ;;
    esac

    if [[ $cur == -* ]]; then
        local opts
        opts=$(_parse_help "$prog")
        [[ $batch ]] && opts+=" $(_parse_help "$prog" 'batch --help')"
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    if [[ ! $batch && $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W 'batch' -- "$cur"))
        _filedir
        return
    fi
    _filedir
} &&
    complete -F _dialogueduck dialogueduck

# ex: filetype=sh
