# ComponoGuest.cmake - build a wasm32-wasi core module on the Compono guest
# runtime (included by guest/CMakeLists.txt; functions are global).
#
# compono_guest_core_module(<name>
#     SOURCES <file>...                 C (.c) and C++ sources
#     [REACTOR]                         library without main (exports only);
#                                       default: command (main -> wasi:cli/run)
#     [INCLUDE_DIRECTORIES <dir>...]
#     [COMPILE_OPTIONS <opt>...]        added after the defaults
#                                       (--target=wasm32-wasi -O2 -fno-exceptions)
#     [LINK_OPTIONS <opt>...]
#     [DEPENDS <file-or-target>...]
#     [OUTPUT <path>])                  default: ${CMAKE_CURRENT_BINARY_DIR}/<name>.core.wasm
#
# Creates target <name> (in ALL) producing the module; its path is in the
# target property COMPONO_CORE_MODULE.  The module imports only the WASI 0.2
# interfaces of compono:guest/imports and exports memory, cabi_realloc and
# wasi:cli/run@0.2.12#run (command) or the program's own exports plus
# _initialize (reactor).  Turn it into a component with the WIT in
# ${COMPONO_GUEST_WIT_DIR} (or a world that includes compono:guest/imports).
function(compono_guest_core_module name)
  cmake_parse_arguments(ARG "REACTOR" "OUTPUT"
                        "SOURCES;INCLUDE_DIRECTORIES;COMPILE_OPTIONS;LINK_OPTIONS;DEPENDS" ${ARGN})
  if(NOT TARGET compono_guest_wasi)
    message(STATUS "compono_guest_core_module(${name}): guest toolchain unavailable; skipped")
    return()
  endif()
  set(out ${ARG_OUTPUT})
  if(NOT out)
    set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.core.wasm)
  endif()
  set(objdir ${CMAKE_CURRENT_BINARY_DIR}/${name}.guest-obj)
  set(flags --target=wasm32-wasi -O2 -fno-exceptions -I${COMPONO_GUEST_INCLUDE_DIR})
  foreach(dir ${ARG_INCLUDE_DIRECTORIES})
    list(APPEND flags -I${dir})
  endforeach()
  list(APPEND flags ${ARG_COMPILE_OPTIONS})

  set(objs)
  foreach(src ${ARG_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME)
    get_filename_component(ext ${src} LAST_EXT)
    set(cc ${COMPONO_WASM_CXX})
    set(lang_flags -std=c++20)
    if(ext STREQUAL ".c")
      set(cc ${COMPONO_WASM_CC})
      set(lang_flags -std=c11)
    endif()
    set(obj ${objdir}/${base}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${objdir}
      COMMAND ${cc} ${flags} ${lang_flags} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs} ${ARG_DEPENDS}
      DEPFILE ${obj}.d
      COMMENT "guest ${name}: compiling ${base} for wasm32-wasi"
      VERBATIM)
    list(APPEND objs ${obj})
  endforeach()

  if(ARG_REACTOR)
    set(runtime ${COMPONO_GUEST_WASI_OBJ} ${COMPONO_GUEST_REACTOR_LINK_FLAGS})
  else()
    set(runtime ${COMPONO_GUEST_WASI_OBJ} ${COMPONO_GUEST_COMMAND_OBJ} ${COMPONO_GUEST_COMMAND_LINK_FLAGS})
  endif()
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${COMPONO_WASM_CXX} --target=wasm32-wasi -O2 -fno-exceptions ${objs} ${runtime} ${ARG_LINK_OPTIONS}
            -o ${out}
    DEPENDS ${objs} compono_guest_wasi ${COMPONO_GUEST_WASI_OBJ} ${COMPONO_GUEST_COMMAND_OBJ}
    COMMENT "guest ${name}: linking ${out}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set_property(TARGET ${name} PROPERTY COMPONO_CORE_MODULE ${out})
endfunction()
