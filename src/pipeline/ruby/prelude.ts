// The Ruby side of the ruby filter: LogStash::Event, LogStash::Timestamp, a logger, and one Sluice::Script
// object per filter instance. Evaluated once in the shared VM.
//
// The event a filter call works on stays in JavaScript: Ruby reads fields through the bridge when asked, and
// records writes (set, tag) as JSON fragments that JavaScript applies when the call returns. A one-line
// `event.set` therefore costs one call into Ruby and one small JSON text back.

import { limits } from "../../common/limits.js";

/** The JSON key that marks a Timestamp on both sides: `{ "$sluice$timestamp": "<ISO-8601>" }`. */
export const TIMESTAMP_MARK = "$sluice$timestamp";

export const RUBY_PRELUDE = String.raw`
require "json"
require "time"
require "js"

# The VM never exits, so buffered output would never be flushed.
$stdout.sync = true

module Sluice
  MARK = "${TIMESTAMP_MARK}"
  SCRIPTS = {}
  FIELD_PATHS = {}
  FIELD_PATHS_MAX = ${limits.rubyFieldPathCacheEntriesMax}

  # JSON.generate builds a State per call (~20 µs here); one kept State makes small texts ~5x cheaper.
  GENERATOR = JSON::State.new

  class << self
    attr_accessor :bridge

    def json(value) = GENERATOR.generate(value)

    # Calls a bridge function; JavaScript answers with a string (JS::Object to Ruby String).
    def call_js(name, *args)
      bridge.call(name, *args).to_s
    end

    # The value JavaScript encoded: "" none, "s" text, "t" timestamp, "j" JSON.
    def decode(text)
      return nil if text.empty?
      body = text.byteslice(1..).force_encoding(Encoding::UTF_8)
      case text.getbyte(0)
      when 115 then body
      when 116 then LogStash::Timestamp.new(body)
      else
        value = JSON.parse(body)
        body.include?(MARK) ? revive(value) : value
      end
    end

    def revive(value)
      case value
      when Hash
        return LogStash::Timestamp.new(value[MARK]) if value.size == 1 && value.key?(MARK)
        value.each { |k, v| value[k] = revive(v) }
      when Array then value.map! { |v| revive(v) }
      else value
      end
    end

    # A Ruby value as an event value: string keys, Time as Timestamp, symbols as strings, a deep copy.
    def import(value)
      case value
      when Hash then value.each_with_object({}) { |(k, v), h| h[k.to_s] = import(v) }
      when Array then value.map { |v| import(v) }
      when Time then LogStash::Timestamp.new(value)
      when Symbol then value.to_s
      when String then value.dup
      else value
      end
    end

    def field_path(ref)
      FIELD_PATHS.clear if FIELD_PATHS.size >= FIELD_PATHS_MAX
      FIELD_PATHS[ref] ||= begin
        ref = ref.to_s
        parts = ref.start_with?("[") ? ref.scan(/\[([^\[\]]+)\]/).flatten : [ref]
        raise ArgumentError, "Invalid FieldReference: #{ref}" if parts.empty?
        parts.freeze
      end
    end

    # What a filter call hands back: "" when nothing changed, else [writes, cancelled, new events, error, extra]
    # (extra: what a bound object reports, e.g. a map element's timeouts; nil for plain scripts).
    def finish(event, produced, error, extra = nil)
      # Exported first: exporting the call's own event hands its pending writes over, so the copy has them.
      events = produced ? produced.map { |e| e.__export } : []
      writes = event.__take_writes
      return "" if writes.empty? && !event.cancelled? && produced.nil? && error.nil? && extra.nil?
      failure = error && [error.class.name, error.message.to_s, (error.backtrace || []).first(${limits.rubyBacktraceLinesMax})]
      json([writes, event.cancelled?, events, failure, extra])
    end
  end

  # finish after the code raised; when even that fails (an unexportable event, text that is not UTF-8), the
  # error alone is reported.
  def self.finish_failed(event, produced, error, extra = nil)
    finish(event, produced, error, extra)
  rescue Exception
    event.__take_writes
    finish(event, nil, error, extra)
  end

  class Logger
    LEVELS = %w[trace debug info warn error fatal].freeze

    def initialize(key)
      @key = key
    end

    LEVELS.each do |level|
      define_method(level) do |message = nil, data = nil, &block|
        message = block.call if message.nil? && block
        Sluice.bridge.call(:log, @key, level, message.to_s, data.nil? ? "" : Sluice.json(data))
        nil
      end
      define_method("#{level}?") { true }
    end
  end

  # Collects a path script's inline tests (Logstash's test/parameters/in_event/expect DSL).
  class ScriptTest
    attr_reader :name, :params, :events_in, :expectations

    def initialize(name, &block)
      @name = name
      @params = {}
      @events_in = []
      @expectations = []
      instance_eval(&block)
    end

    def parameters(&block) = (@params = block.call)
    def in_event(&block)
      given = block.call
      @events_in = given.is_a?(Array) ? given : [given]
    end
    def expect(description, &block) = @expectations << [description, block]
  end

  # One per ruby filter instance: init, code and path scripts run with self bound to it, so their instance
  # variables and methods never meet another filter's.
  class Script
    def initialize(key)
      @logger = Logger.new(key)
      @__sluice_tests = []
    end

    def __setup_code(init, code, label)
      instance_eval(init, "(#{label} init)", 1) unless init.nil?
      @__sluice_code = instance_eval("lambda { |event, &new_event_block| #{code}\n}", "(#{label} code)", 1)
      self
    end

    # Code that also sees a task's map and its element (the aggregate filter's map and map_meta).
    def __setup_map_code(code, label)
      @__sluice_code = instance_eval("lambda { |event, map, map_meta, &new_event_block| #{code}\n}", "(#{label} code)", 1)
      self
    end

    def __bind_maps(store, end_of_task)
      @__maps = store
      @__end_of_task = end_of_task
      self
    end

    def __setup_file(source, path, params)
      instance_eval(source, path, 1)
      raise "script #{path} does not define a filter(event) method" unless respond_to?(:filter)
      register(params) if respond_to?(:register)
      self
    end

    def test(name, &block) = @__sluice_tests << ScriptTest.new(name, &block)

    # Runs the script's tests on fresh copies of it; returns [passed, failed, errored, messages].
    def __run_tests(source, path, key)
      passed = failed = errored = 0
      messages = []
      @__sluice_tests.each do |t|
        begin
          copy = Script.new(key).__setup_file(source, path, t.params)
          results = t.events_in.flat_map { |data| copy.filter(LogStash::Event.new(data)) }
          t.expectations.each do |description, check|
            if check.call(results)
              passed += 1
            else
              failed += 1
              messages << "#{t.name}: #{description}"
            end
          end
        rescue Exception => e
          errored += 1
          messages << "#{t.name}: #{e.class}: #{e.message}"
        end
      end
      [passed, failed, errored, messages]
    end

    def __run_code(event = RemoteEvent.new)
      produced = nil
      begin
        @__sluice_code.call(event) { |e| (produced ||= []) << e }
        Sluice.finish(event, produced, nil)
      rescue Exception => e
        Sluice.finish_failed(event, produced, e)
      ensure
        event.__detach
      end
    end

    # The call's argument (from JavaScript) is "<creation ms> <last event ms> <task id>"; the task's element is made
    # when missing (JavaScript decided it may be). The answer's extra carries the element's timeouts when code set one.
    def __run_map(event = RemoteEvent.new)
      creation_ms, last_ms, task_id = Sluice.call_js(:argument).split(" ", 3)
      element = @__maps.fetch(task_id, creation_ms.to_i)
      element.lastevent_ms = last_ms.to_i
      produced = nil
      begin
        @__sluice_code.call(event, element.map, element) { |e| (produced ||= []) << e }
        Sluice.finish(event, produced, nil, element.timeouts)
      rescue Exception => e
        Sluice.finish_failed(event, produced, e, element.timeouts)
      ensure
        # A zero timeout set by the code means "push now": JavaScript takes the map, so it stays until then.
        @__maps.delete(task_id) if @__end_of_task && !(element.timeout == 0 || element.inactivity_timeout == 0)
        event.__detach
      end
    end

    def __run_file(event = RemoteEvent.new)
      produced = nil
      begin
        results = filter(event)
        unless results.is_a?(Array)
          raise "Custom script did not return an array from 'filter'. Only arrays may be returned!"
        end
        results.each do |r|
          next if r.is_a?(LogStash::Event)
          raise "Custom script returned a non event object '#{r.inspect}'! You must an array of events from this function! To drop an event simply return nil."
        end
        produced = results.reject { |r| r.equal?(event) }
        produced = nil if produced.empty?
        event.cancel unless results.any? { |r| r.equal?(event) }
        Sluice.finish(event, produced, nil)
      rescue Exception => e
        Sluice.finish_failed(event, nil, e)
      ensure
        event.__detach
      end
    end
  end
end

module Sluice
  # One task's state in an aggregate map store: the map user code fills, and the metadata code may read or set
  # as map_meta (timeouts for this task only).
  class MapElement
    attr_accessor :map, :task_id, :timeout, :inactivity_timeout, :creation_ms, :lastevent_ms

    def initialize(task_id, creation_ms, map = {})
      @task_id = task_id
      @creation_ms = creation_ms
      @lastevent_ms = creation_ms
      @map = map
      @timeout = nil
      @inactivity_timeout = nil
    end

    def creation_timestamp = Time.at(Rational(@creation_ms, 1000)).utc
    def lastevent_timestamp = Time.at(Rational(@lastevent_ms, 1000)).utc
    def timeouts = (@timeout || @inactivity_timeout) ? [@timeout, @inactivity_timeout] : nil
  end

  # The maps of one task_id pattern, by task id. They stay Ruby objects between calls; JavaScript sees a map only
  # when it leaves the store (pushed as an event, written to disk), through __command.
  class MapStore
    def initialize
      @elements = {}
    end

    def fetch(task_id, creation_ms) = (@elements[task_id] ||= MapElement.new(task_id, creation_ms))
    def delete(task_id) = @elements.delete(task_id)

    # A command from JavaScript, as JSON [name, *args] in the call's argument; answers JSON.
    def __command
      name, *args = JSON.parse(Sluice.call_js(:argument))
      case name
      when "take" then Sluice.json(args.filter_map { |id| (e = @elements.delete(id)) && [id, Sluice.import(e.map)] })
      when "dump" then Sluice.json(@elements.map { |id, e| [id, Sluice.import(e.map), e.timeout, e.inactivity_timeout] })
      when "load"
        id, map, timeout, inactivity_timeout, creation_ms, lastevent_ms = args
        element = MapElement.new(id, creation_ms, Sluice.revive(map))
        element.lastevent_ms = lastevent_ms
        element.timeout = timeout
        element.inactivity_timeout = inactivity_timeout
        @elements[id] = element
        "null"
      when "delete" then args.each { |id| @elements.delete(id) } && "null"
      when "clear" then @elements.clear && "null"
      else raise ArgumentError, "unknown map store command #{name}"
      end
    end
  end
end

module LogStash
  class Timestamp
    include Comparable

    def self.now = new(Time.now)
    def self.at(*args) = new(Time.at(*args))
    def self.parse_iso8601(text) = new(Time.iso8601(text.to_s))

    # From a Time, a Timestamp, or ISO-8601 text (parsed lazily: most timestamps are only passed along).
    def initialize(value = Time.now)
      case value
      when Time then @time = value.getutc
      when Timestamp then @time = value.time
      when String then @iso = value
      else raise ArgumentError, "cannot make a timestamp from #{value.class}"
      end
    end

    def time = (@time ||= Time.iso8601(@iso).getutc)

    def to_iso8601
      @iso ||= begin
        nsec = @time.nsec
        digits = (nsec % 1_000_000).zero? ? 3 : ((nsec % 1000).zero? ? 6 : 9)
        @time.iso8601(digits)
      end
    end

    def to_s = to_iso8601
    def inspect = to_iso8601
    def to_i = time.to_i
    def to_f = time.to_f
    def usec = time.usec
    def nsec = time.nsec
    def year = time.year
    def utc = self
    def <=>(other) = other.is_a?(Timestamp) ? time <=> other.time : nil
    def eql?(other) = (self <=> other) == 0
    def hash = time.hash
    def -(other) = other.is_a?(Timestamp) ? time - other.time : Timestamp.new(time - other)
    def +(seconds) = Timestamp.new(time + seconds)
    def to_json(*args) = { Sluice::MARK => to_iso8601 }.to_json(*args)
  end

  # An event held in Ruby: made by LogStash::Event.new or clone.
  class Event
    def initialize(data = {})
      @data = Sluice.import(data || {})
      ts = @data["@timestamp"]
      @data["@timestamp"] = ts.is_a?(String) ? Timestamp.new(Time.iso8601(ts)) : (ts || Timestamp.now)
      @data["@version"] ||= "1"
      @cancelled = false
    end

    def get(ref)
      value = Sluice.field_path(ref).reduce(@data) { |node, key| child(node, key) }
      value.is_a?(Hash) || value.is_a?(Array) ? Sluice.import(value) : value
    end

    def set(ref, value)
      path = Sluice.field_path(ref)
      value = Sluice.import(value)
      value = Timestamp.new(Time.iso8601(value)) if path == ["@timestamp"] && value.is_a?(String)
      parent = path[0...-1].reduce(@data) { |node, key| node[key] ||= {} }
      raise ArgumentError, "cannot set #{ref}: a parent is not a hash" unless parent.is_a?(Hash) || parent.is_a?(Array)
      parent[parent.is_a?(Array) ? path[-1].to_i : path[-1]] = value
    end

    def remove(ref)
      path = Sluice.field_path(ref)
      parent = path[0...-1].reduce(@data) { |node, key| child(node, key) }
      return nil unless parent.is_a?(Hash)
      parent.delete(path[-1])
    end

    def include?(ref)
      path = Sluice.field_path(ref)
      parent = path[0...-1].reduce(@data) { |node, key| child(node, key) }
      parent.is_a?(Hash) ? parent.key?(path[-1]) : !child(parent, path[-1]).nil?
    end

    def to_hash
      hash = to_hash_with_metadata
      hash.delete("@metadata")
      hash
    end

    def to_hash_with_metadata = Sluice.import(@data)
    def to_json(*args) = to_hash.to_json(*args)
    def timestamp = get("@timestamp")
    def timestamp=(value)
      set("@timestamp", value)
    end

    def tag(name)
      tags = @data["tags"]
      if tags.is_a?(Array)
        tags << name unless tags.include?(name)
      elsif tags.nil?
        @data["tags"] = [name]
      elsif tags != name
        @data["tags"] = [tags, name]
      end
    end

    def sprintf(format) = Sluice.call_js(:sprintfJson, Sluice.json(@data), format.to_s)
    def to_s = sprintf("%{@timestamp} %{host} %{message}")
    def cancel = (@cancelled = true)
    def uncancel = (@cancelled = false)
    def cancelled? = @cancelled

    def clone
      copy = Event.new(to_hash_with_metadata)
      copy.cancel if cancelled?
      copy
    end

    def __export = @data
    def __detach; end

    private

    def child(node, key)
      case node
      when Hash then node[key]
      when Array then key.match?(/\A-?\d+\z/) ? node[key.to_i] : nil
      end
    end
  end
end

module Sluice
  # The event of the current filter call, which lives in JavaScript. Reads go to it (after handing over pending
  # writes, so code sees its own sets); writes are kept until the call returns.
  class RemoteEvent < LogStash::Event
    def initialize
      @writes = []
      @cancelled = false
      @live = true
    end

    def get(ref) = Sluice.decode(js(:get, ref.to_s))

    def set(ref, value)
      # import copies, so later changes to the caller's object do not reach the event (as in Logstash)
      @writes << ["s", ref.to_s, Sluice.import(value)]
      value
    end

    def remove(ref) = Sluice.decode(js(:remove, ref.to_s))
    def include?(ref) = js(:includes, ref.to_s) == "1"
    def to_hash = Sluice.decode(js(:whole, "")) || {}
    def to_hash_with_metadata = Sluice.decode(js(:whole, "1")) || {}
    def tag(name) = @writes << ["t", name.to_s]
    def sprintf(format) = js(:sprintf, format.to_s)
    def __export = to_hash_with_metadata
    def __detach = (@live = false)

    def __take_writes
      writes = @writes
      @writes = []
      writes
    end

    private

    def js(name, arg)
      raise "this event belongs to a filter call that has returned; keep event.clone instead" unless @live
      pending = @writes.empty? ? "" : Sluice.json(@writes)
      @writes = []
      Sluice.call_js(name, pending, arg)
    end
  end
end
`;
